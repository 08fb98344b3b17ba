import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import app from "../src/index";
import { authorized, call, errorOf, json } from "./helpers";

const JSON_TYPE = { "content-type": "application/json" };

/**
 * Each route that changes the tenant's data: `seed` what it changes, `send`
 * it with the given headers, and whether it `changed` anything, to show that
 * a refused one did nothing.
 */
const writes = [
  {
    what: "PUT /kv/:key",
    send: (headers: HeadersInit) =>
      call("/kv/w-key", { method: "PUT", headers: { ...JSON_TYPE, ...headers }, body: '{"value":"written"}' }),
    changed: async () => (await env.KV.get("w-key")) !== null,
  },
  {
    what: "DELETE /kv/:key",
    seed: () => env.KV.put("w-kept", "kept"),
    send: (headers: HeadersInit) => call("/kv/w-kept", { method: "DELETE", headers }),
    changed: async () => (await env.KV.get("w-kept")) === null,
  },
  {
    what: "PUT /files/:name",
    send: (headers: HeadersInit) => call("/files/w.html", { method: "PUT", headers, body: "<script>1</script>" }),
    changed: async () => (await env.BUCKET.head("w.html")) !== null,
  },
  {
    what: "DELETE /files/:name",
    seed: async () => void (await env.BUCKET.put("w-kept.txt", "kept")),
    send: (headers: HeadersInit) => call("/files/w-kept.txt", { method: "DELETE", headers }),
    changed: async () => (await env.BUCKET.head("w-kept.txt")) === null,
  },
  {
    what: "POST /notes",
    send: (headers: HeadersInit) =>
      call("/notes", { method: "POST", headers: { ...JSON_TYPE, ...headers }, body: '{"title":"w-note"}' }),
    changed: async () => (await env.DB.prepare("SELECT id FROM notes WHERE title = 'w-note'").first()) !== null,
  },
];

describe("writes (by default, only with the API_TOKEN)", () => {
  it.each(writes)("$what without a token: 401, and nothing is changed", async ({ seed, send, changed }) => {
    await seed?.();
    const res = await send({});
    expect(await errorOf(res, 401)).toEqual({ code: "unauthorized", message: "a valid bearer token is required" });
    expect(await changed()).toBe(false);
  });

  it.each(writes)("$what with a wrong token: 401, and nothing is changed", async ({ seed, send, changed }) => {
    await seed?.();
    const res = await send({ authorization: "Bearer not-the-token" });
    expect((await errorOf(res, 401)).code).toBe("unauthorized");
    expect(await changed()).toBe(false);
  });

  it.each(writes)("$what with the API_TOKEN: done", async ({ seed, send, changed }) => {
    await seed?.();
    const res = await send({ authorization: `Bearer ${env.API_TOKEN}` });
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    expect(await changed()).toBe(true);
  });

  it("reads need no token", async () => {
    await env.KV.put("r-key", "v");
    await env.BUCKET.put("r.txt", "r");
    expect((await call("/kv/r-key")).status).toBe(200);
    expect((await call("/files/r.txt")).status).toBe(200);
    expect((await call("/notes")).status).toBe(200);
  });

  it('PUBLIC_WRITES = "true" lets anyone write', async () => {
    const publicEnv = { ...env, PUBLIC_WRITES: "true" };
    const res = await app.request("/kv/public-key", json("PUT", { value: "anyone" }), publicEnv);
    expect(res.status).toBe(200);
    expect(await env.KV.get("public-key")).toBe("anyone");
  });

  it("PUBLIC_WRITES that is neither true nor false: 503, nobody writes, the token holder included", async () => {
    const res = await app.request("/kv/misconfigured", authorized(json("PUT", { value: "x" })), {
      ...env,
      PUBLIC_WRITES: "yes",
    });
    expect(await errorOf(res, 503)).toEqual({
      code: "not_configured",
      message: 'the PUBLIC_WRITES var must be "true" or "false"',
    });
    expect(await env.KV.get("misconfigured")).toBeNull();
  });

  it("without the secret and without PUBLIC_WRITES, nobody writes", async () => {
    const res = await app.request("/kv/no-secret", authorized(json("PUT", { value: "x" }), ""), {
      ...env,
      API_TOKEN: "",
    });
    expect((await errorOf(res, 503)).code).toBe("not_configured");
    expect(await env.KV.get("no-secret")).toBeNull();
  });
});
