import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import type { FaultRule } from "../src/gate/store";
import { acct, call, json, resultOf, TOKEN, v4 } from "./helpers";

/** The Gate itself, to hand it the times of calls (its `now`) instead of waiting for the clock. */
const gate = () => env.GATE.get(env.GATE.idFromName("gate"));
const listFaults = async () => resultOf<FaultRule[]>(await call("/__emulator/faults"));
/** A call past `call`'s schema check: a lost answer's 504 is the gateway's, not one the API's schema lists. */
const rawCall = (path: string, init: RequestInit) =>
  exports.default.fetch(
    new Request(`http://emulator.local${path}`, {
      ...init,
      headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${TOKEN}` },
    }),
  );

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

  it("lose: runs the call and keeps what it did, then answers 504 in place of its answer", async () => {
    const title = `lost-${crypto.randomUUID()}`;
    await call(
      "/__emulator/faults",
      json("POST", { method: "POST", path: "/accounts/*/storage/kv/namespaces", action: { kind: "lose" } }),
    );
    const lost = await rawCall(acct("/storage/kv/namespaces"), json("POST", { title }));
    expect(lost.status).toBe(504);
    const text = await lost.text();
    expect(JSON.parse(text)).toMatchObject({ success: false, result: null, errors: [{ code: 10002 }] });
    // Nothing of the lost answer reaches the client.
    expect(text).not.toContain(title);
    // The namespace was created all the same: a client that creates again gets "already exists".
    const namespaces = await resultOf<{ title: string }[]>(await call(acct("/storage/kv/namespaces?per_page=100")));
    expect(namespaces.filter((namespace) => namespace.title === title)).toHaveLength(1);
    expect((await call(acct("/storage/kv/namespaces"), json("POST", { title }))).status).toBe(400);
  });

  it("lose with a status and a wait: no answer until the wait is over or the client gives up", async () => {
    const title = `lost-${crypto.randomUUID()}`;
    await call(
      "/__emulator/faults",
      json("POST", { path: "/accounts/*/storage/kv/namespaces", action: { kind: "lose", ms: 600_000, status: 502 } }),
    );
    const controller = new AbortController();
    const pending = rawCall(acct("/storage/kv/namespaces"), { ...json("POST", { title }), signal: controller.signal });
    // Waiting on a condition (the namespace exists), not on time: the call ran while its answer is held.
    for (;;) {
      const namespaces = await resultOf<{ title: string }[]>(await call(acct("/storage/kv/namespaces?per_page=100")));
      if (namespaces.some((namespace) => namespace.title === title)) break;
      await scheduler.wait(10);
    }
    controller.abort();
    await expect(pending).rejects.toThrow();
    await call("/__emulator/faults", { method: "DELETE" });
    await call(
      "/__emulator/faults",
      json("POST", { path: "/accounts/*/nothing", action: { kind: "lose", status: 502 } }),
    );
    expect((await call(acct("/nothing"))).status).toBe(502);
  });

  it("records when each hit was admitted, so a client's spacing of retries can be checked", async () => {
    const added = await resultOf<FaultRule>(
      await call(
        "/__emulator/faults",
        json("POST", { path: "/accounts/*/nothing", times: 3, action: { kind: "fail", status: 500, code: 10000 } }),
      ),
    );
    expect(added.hitsAt).toEqual([]);
    const stub = gate();
    for (const at of [1_000, 2_500, 4_000]) {
      expect(await stub.admit("test-token-hash", "GET", "/accounts/x/nothing", at)).toMatchObject({ kind: "fault" });
    }
    expect(await stub.admit("test-token-hash", "GET", "/accounts/x/nothing", 5_000)).toEqual({ kind: "pass" });
    const [rule] = await listFaults();
    expect(rule).toMatchObject({ hits: 3, remaining: 0, hitsAt: [1_000, 2_500, 4_000] });
  });

  it("keeps only the latest hit times of a rule hit many times", async () => {
    const stub = gate();
    await call(
      "/__emulator/faults",
      json("POST", { path: "/accounts/*/many", times: 1000, action: { kind: "delay", ms: 0 } }),
    );
    for (let at = 1; at <= 150; at++) await stub.admit("test-token-hash", "GET", "/accounts/x/many", at);
    const [rule] = await listFaults();
    expect(rule?.hits).toBe(150);
    expect(rule?.hitsAt).toEqual(Array.from({ length: 100 }, (_, i) => 51 + i));
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
    // The Gate is given the calls' times, so the window passes without the test waiting for it.
    const stub = gate();
    const at = 1_000_000;
    expect(await stub.admit("test-token-hash", "GET", "/nothing", at)).toEqual({ kind: "pass" });
    expect(await stub.admit("test-token-hash", "GET", "/nothing", at + 10)).toEqual({
      kind: "rate-limited",
      retryAfterSeconds: 1,
    });
    // Blocked for a whole window from the refused call, not from the window's start.
    expect(await stub.admit("test-token-hash", "GET", "/nothing", at + 1_009)).toMatchObject({ kind: "rate-limited" });
    expect(await stub.admit("test-token-hash", "GET", "/nothing", at + 1_010)).toEqual({ kind: "pass" });
  });
});
