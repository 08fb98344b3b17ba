import { afterEach, describe, expect, it } from "vitest";
import { acct, call, json, v4 } from "./helpers";

const setRateLimit = (config: { enabled: boolean; requests: number; windowSeconds: number }) =>
  call("/__emulator/rate-limit", json("PUT", config));

afterEach(async () => {
  await call("/__emulator/faults", { method: "DELETE" });
  await setRateLimit({ enabled: false, requests: 1200, windowSeconds: 300 });
});

describe("authentication", () => {
  it("refuses a call with no credentials with 400 and code 9106", async () => {
    const res = await call(acct("/storage/kv/namespaces"), { token: null });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      success: false,
      errors: [{ code: 9106, message: "Missing X-Auth-Key, X-Auth-Email or Authorization headers" }],
      messages: [],
      result: null,
    });
  });

  it("refuses a malformed Authorization header with 400 and code 6003", async () => {
    const res = await call(acct("/storage/kv/namespaces"), { headers: { authorization: "Token abc" } });
    expect(res.status).toBe(400);
    const body = await res.json<{ errors: { code: number; error_chain: { code: number }[] }[] }>();
    expect(body.errors[0]?.code).toBe(6003);
    expect(body.errors[0]?.error_chain[0]?.code).toBe(6111);
  });

  it("refuses an unknown token with 403 and code 9109, and never echoes it", async () => {
    const res = await call(acct("/storage/kv/namespaces"), { token: "not-the-token" });
    expect(res.status).toBe(403);
    const text = await res.text();
    expect(JSON.parse(text).errors[0].code).toBe(9109);
    expect(text).not.toContain("not-the-token");
  });

  it("does nothing for a refused call", async () => {
    await call(acct("/storage/kv/namespaces"), json("POST", { title: "unauthorised" }, { headers: {} }));
    const res = await call(acct("/storage/kv/namespaces"), { ...json("POST", { title: "x" }), token: "wrong" });
    expect(res.status).toBe(403);
  });
});

describe("routing", () => {
  it("answers an unknown route with 404 and code 7000 in the envelope", async () => {
    const res = await call(v4("/nothing/here"));
    expect(res.status).toBe(404);
    const body = await res.json<{ success: boolean; errors: { code: number }[]; result: null }>();
    expect(body.success).toBe(false);
    expect(body.errors[0]?.code).toBe(7000);
    expect(body.result).toBeNull();
  });

  it("answers a malformed account id with 404 and code 7003", async () => {
    const res = await call(v4("/accounts/not-an-account/storage/kv/namespaces"));
    expect(res.status).toBe(404);
    expect((await res.json<{ errors: { code: number }[] }>()).errors[0]?.code).toBe(7003);
  });
});

describe("fault injection", () => {
  it("fails the next N matching calls with the given status and code, then lets calls through", async () => {
    const added = await call(
      "/__emulator/faults",
      json("POST", {
        method: "GET",
        path: "/accounts/*/nothing",
        times: 2,
        action: { kind: "fail", status: 503, code: 10013, message: "injected" },
      }),
    );
    expect(added.status).toBe(200);
    for (let i = 0; i < 2; i++) {
      const res = await call(acct("/nothing"));
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ success: false, errors: [{ code: 10013, message: "injected" }] });
    }
    expect((await call(acct("/nothing"))).status).toBe(404);
    const listed = await call("/__emulator/faults");
    expect((await listed.json<{ result: { hits: number; remaining: number }[] }>()).result[0]).toMatchObject({
      hits: 2,
      remaining: 0,
    });
  });

  it("leaves calls of another method or path alone", async () => {
    await call(
      "/__emulator/faults",
      json("POST", { method: "POST", path: "/accounts/**", action: { kind: "fail", status: 500, code: 10001 } }),
    );
    expect((await call(acct("/nothing"))).status).toBe(404);
  });

  it("delays a matching call and then serves it", async () => {
    await call("/__emulator/faults", json("POST", { path: "/accounts/**", action: { kind: "delay", ms: 50 } }));
    const res = await call(acct("/nothing"));
    expect(res.status).toBe(404);
    const faults = await (await call("/__emulator/faults")).json<{ result: { hits: number }[] }>();
    expect(faults.result[0]?.hits).toBe(1);
  });

  it("hangs a matching call until the client gives up", async () => {
    await call("/__emulator/faults", json("POST", { path: "/accounts/**", action: { kind: "hang" } }));
    const controller = new AbortController();
    const pending = call(acct("/nothing"), { signal: controller.signal });
    const raced = await Promise.race([pending.then(() => "answered"), scheduler.wait(100).then(() => "hanging")]);
    expect(raced).toBe("hanging");
    controller.abort();
    await expect(pending).rejects.toThrow();
  });

  it("refuses a rule that is not of the rule's shape, naming the field", async () => {
    const res = await call("/__emulator/faults", json("POST", { path: "no-slash", action: { kind: "explode" } }));
    expect(res.status).toBe(400);
    const message = (await res.json<{ errors: { message: string }[] }>()).errors[0]?.message ?? "";
    expect(message).toMatch(/path/);
    expect(message).toMatch(/action/);
  });
});

describe("rate limiting", () => {
  it("is off by default", async () => {
    const res = await call("/__emulator/rate-limit");
    expect((await res.json<{ result: { enabled: boolean; requests: number } }>()).result).toMatchObject({
      enabled: false,
      requests: 1200,
      windowSeconds: 300,
    });
  });

  it("answers 429 with code 971 and Retry-After once a token is over its window, per token", async () => {
    await setRateLimit({ enabled: true, requests: 3, windowSeconds: 60 });
    for (let i = 0; i < 3; i++) expect((await call(acct("/nothing"))).status).toBe(404);
    const limited = await call(acct("/nothing"));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await limited.json<{ errors: { code: number }[] }>()).errors[0]?.code).toBe(971);
    // Still limited: the block lasts a whole window.
    expect((await call(acct("/nothing"))).status).toBe(429);
  });

  it("lifts the block when the window has passed", async () => {
    await setRateLimit({ enabled: true, requests: 1, windowSeconds: 1 });
    expect((await call(acct("/nothing"))).status).toBe(404);
    expect((await call(acct("/nothing"))).status).toBe(429);
    await scheduler.wait(1100);
    expect((await call(acct("/nothing"))).status).toBe(404);
  });
});
