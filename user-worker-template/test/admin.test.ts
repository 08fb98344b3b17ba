import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import app from "../src/index";
import { call, errorOf, withToken } from "./helpers";

describe("/admin (behind the API_TOKEN secret)", () => {
  it("answers with the right bearer token", async () => {
    const { count } = (await env.DB.prepare("SELECT COUNT(*) AS count FROM notes").first<{ count: number }>()) ?? {};
    const res = await call("/admin/summary", withToken());
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ tenant: null, notes: count });
  });

  it.each([
    ["no token", {}],
    ["a wrong token", withToken("wrong")],
    ["the token with a suffix", withToken(`${env.API_TOKEN}x`)],
    ["a token cut short", withToken(env.API_TOKEN.slice(0, -1))],
    ["another scheme", { headers: { authorization: `Basic ${env.API_TOKEN}` } }],
  ])("answers 401 for %s, never echoing the secret", async (_, init) => {
    const res = await call("/admin/summary", init);
    expect(await errorOf(res, 401)).toEqual({ code: "unauthorized", message: "a valid bearer token is required" });
    expect(res.headers.get("www-authenticate")).toBe('Bearer realm="tenant"');
  });

  it("hides which admin paths exist from a caller without the token", async () => {
    expect((await call("/admin/other")).status).toBe(401);
    expect((await call("/admin/other", withToken())).status).toBe(404);
  });

  it("lets nobody in when the secret is not set", async () => {
    const res = await app.request("/admin/summary", withToken(""), { ...env, API_TOKEN: "" });
    expect((await errorOf(res, 503)).code).toBe("not_configured");
  });

  it("never puts the secret in an answer", async () => {
    for (const path of ["/", "/admin/summary", "/nowhere"]) {
      expect(await (await call(path, withToken("wrong"))).text()).not.toContain(env.API_TOKEN);
    }
  });
});
