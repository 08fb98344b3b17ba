import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_KV_VALUE_BYTES } from "../src/routes/kv";
import { authorized, call, errorOf, json } from "./helpers";

describe("/kv/:key", () => {
  it("writes a value into KV and reads it back", async () => {
    const put = await call("/kv/theme", authorized(json("PUT", { value: "dark" })));
    expect(put.status).toBe(200);
    expect(await put.json()).toEqual({ key: "theme", value: "dark" });
    expect(await env.KV.get("theme")).toBe("dark");

    const get = await call("/kv/theme");
    expect(await get.json()).toEqual({ key: "theme", value: "dark" });
  });

  it("reads what is already in KV, under a URL-encoded key", async () => {
    await env.KV.put("a key/with slash", "v1");
    const res = await call(`/kv/${encodeURIComponent("a key/with slash")}`);
    expect(await res.json()).toEqual({ key: "a key/with slash", value: "v1" });
  });

  it("sets an expiration when asked", async () => {
    await call("/kv/session", authorized(json("PUT", { value: "x", expirationTtl: 3600 })));
    const { keys } = await env.KV.list({ prefix: "session" });
    expect(keys[0]?.expiration).toBeGreaterThan(Date.now() / 1000 + 3500);
  });

  it("deletes a key", async () => {
    await env.KV.put("gone", "soon");
    expect((await call("/kv/gone", authorized({ method: "DELETE" }))).status).toBe(204);
    expect(await env.KV.get("gone")).toBeNull();
  });

  it("answers 404 for a missing key", async () => {
    expect(await errorOf(await call("/kv/missing"), 404)).toEqual({
      code: "not_found",
      message: 'key "missing" not found',
    });
  });

  it.each([
    ["a body that is not JSON", { method: "PUT", headers: { "content-type": "application/json" }, body: "{" }],
    ["a body sent as text", { method: "PUT", headers: { "content-type": "text/plain" }, body: '{"value":"x"}' }],
    ["a value that is not a string", json("PUT", { value: 42 })],
    ["an unknown field", json("PUT", { value: "x", extra: true })],
    ["an expiration under KV's 60 s", json("PUT", { value: "x", expirationTtl: 30 })],
  ])("answers 400 for %s and writes nothing", async (_, init) => {
    expect((await errorOf(await call("/kv/bad", authorized(init)), 400)).code).toBe("bad_request");
    expect(await env.KV.get("bad")).toBeNull();
  });

  it("answers 400 for a key over KV's 512 bytes", async () => {
    const error = await errorOf(await call(`/kv/${"é".repeat(257)}`), 400);
    expect(error.message).toBe("invalid key: keys are at most 512 bytes");
  });

  it("answers 413 for a value over the limit", async () => {
    const res = await call("/kv/big", authorized(json("PUT", { value: "x".repeat(MAX_KV_VALUE_BYTES + 2048) })));
    expect((await errorOf(res, 413)).code).toBe("payload_too_large");
    expect(await env.KV.get("big")).toBeNull();
  });

  it("answers 405 for another method", async () => {
    expect((await call("/kv/theme", { method: "POST" })).status).toBe(405);
  });
});
