import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PLANS } from "../../platform/plans";
import { platformHosts } from "../../platform/platform-hosts";
import type { Env } from "../src/env";
import worker from "../src/index";
import { OUTBOUND_PARAMS_HEADER } from "../src/params";
import { egressVerdict, matchesAllowlist } from "../src/policy";
import type { InternetEcho } from "./internet";

/** The local config's vars, with a dataset that keeps what is written to it. */
function outboundEnv(overrides: Partial<Env> = {}) {
  const points: AnalyticsEngineDataPoint[] = [];
  const EGRESS_BLOCKED: AnalyticsEngineDataset = {
    writeDataPoint(point) {
      points.push(point ?? {});
    },
  };
  return { env: { ...(env as unknown as Env), EGRESS_BLOCKED, ...overrides }, points };
}

const paramsHeader = (tenantId: string, plan: string) => ({
  [OUTBOUND_PARAMS_HEADER]: JSON.stringify({ tenantId, plan }),
});

const send = (url: string, init: RequestInit, outboundEnvironment: Env) =>
  worker.fetch(new Request(url, init) as Request<unknown, IncomingRequestCfProperties>, outboundEnvironment);

describe("the outbound Worker", () => {
  it("counts each refusal: one data point indexed by tenant, with the reason, the host and the plan", async () => {
    const { env, points } = outboundEnv();
    const res = await send("http://169.254.169.254/latest/meta-data/", { headers: paramsHeader("acme", "pro") }, env);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { code: "egress_blocked", reason: "metadata" } });
    expect(points).toEqual([
      { indexes: ["acme"], blobs: ["metadata", "169.254.169.254", "pro", "acme"], doubles: [1] },
    ]);
  });

  it("sends an allowed request on with its method, headers and body, less the parameters header", async () => {
    const { env, points } = outboundEnv();
    const res = await send(
      "https://api.example.net/v1?x=1",
      { method: "PUT", body: "payload", headers: { ...paramsHeader("acme", "pro"), "x-tenant-header": "kept" } },
      env,
    );
    const echo = await res.json<InternetEcho>();
    expect(echo).toMatchObject({
      internet: true,
      url: "https://api.example.net/v1?x=1",
      method: "PUT",
      body: "payload",
    });
    expect(echo.headers["x-tenant-header"]).toBe("kept");
    expect(echo.headers[OUTBOUND_PARAMS_HEADER]).toBeUndefined();
    expect(points).toEqual([]);
  });

  it("hands redirects back instead of following them, so each hop is judged", async () => {
    const { env } = outboundEnv();
    const res = await send("https://api.example.net/redirect", { headers: paramsHeader("acme", "pro") }, env);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("http://169.254.169.254/");
  });

  it("reads the parameters from env, as production passes them, and ignores a header a tenant sets", async () => {
    const { env, points } = outboundEnv({ tenantId: "acme", plan: "free", TRUST_OUTBOUND_PARAMS_HEADER: undefined });
    const res = await send("https://api.github.com/", { headers: paramsHeader("acme", "enterprise") }, env);
    expect(res.status).toBe(403);
    expect(points[0]?.blobs).toEqual(["not_allowlisted", "api.github.com", "free", "acme"]);
    const allowed = await send("https://example.com/", { headers: paramsHeader("acme", "enterprise") }, env);
    expect((await allowed.json<InternetEcho>()).headers[OUTBOUND_PARAMS_HEADER]).toBeUndefined();
  });

  it("does not believe the header unless configured to: with no parameters, nothing goes out", async () => {
    const { env, points } = outboundEnv({ TRUST_OUTBOUND_PARAMS_HEADER: undefined });
    const res = await send("https://example.com/", { headers: paramsHeader("acme", "enterprise") }, env);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { reason: "no_params" } });
    expect(points[0]?.indexes).toEqual([""]);
  });

  it("refuses parameters that are not a tenant and a plan", async () => {
    const { env } = outboundEnv();
    for (const header of [
      "not json",
      '{"tenantId":"acme","plan":"platinum"}',
      '{"tenantId":"Not A Label","plan":"pro"}',
    ]) {
      const res = await send("https://example.com/", { headers: { [OUTBOUND_PARAMS_HEADER]: header } }, env);
      expect(await res.json(), header).toMatchObject({ error: { reason: "no_params" } });
    }
  });

  it("sends what it lets out through PUBLIC_INTERNET when that is bound (npm run dev), and nothing it refuses", async () => {
    const reached: string[] = [];
    const PUBLIC_INTERNET = {
      fetch: async (input: RequestInfo | URL) => {
        const request = new Request(input);
        reached.push(request.url);
        return Response.json({ viaPublicInternet: true, params: request.headers.get(OUTBOUND_PARAMS_HEADER) });
      },
    } as Fetcher;
    const { env } = outboundEnv({ PUBLIC_INTERNET });
    const allowed = await send("https://api.example.net/v1", { headers: paramsHeader("acme", "pro") }, env);
    expect(await allowed.json()).toEqual({ viaPublicInternet: true, params: null });
    const refused = await send("http://127.0.0.1:8789/client/v4/", { headers: paramsHeader("acme", "pro") }, env);
    expect(refused.status).toBe(403);
    expect(reached).toEqual(["https://api.example.net/v1"]);
  });

  it("a request the network refuses (a name resolving to a local address) is a 502 egress_unreachable, no stack", async () => {
    const PUBLIC_INTERNET = {
      fetch: async () => {
        throw new Error("internal detail: connecting to 127.0.0.1:8789 is not allowed");
      },
    } as unknown as Fetcher;
    const { env } = outboundEnv({ PUBLIC_INTERNET });
    const answer = await send("https://localhost-alias.example.net/", { headers: paramsHeader("acme", "pro") }, env);
    expect(answer.status).toBe(502);
    const text = await answer.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code: "egress_unreachable" } });
    expect(text).not.toContain("internal detail");
  });

  it("fails every request while a var is wrong, naming the var", async () => {
    const { env } = outboundEnv({ PLATFORM_HOSTS: "api.example.com, not a host" });
    await expect(send("https://example.com/", { headers: paramsHeader("acme", "pro") }, env)).rejects.toThrow(
      /^invalid outbound Worker configuration: PLATFORM_HOSTS\.1: /,
    );
  });

  it("answers its health check only to a request that is no tenant's", async () => {
    const { env } = outboundEnv();
    expect(await (await send("http://127.0.0.1:8790/__platform/health", {}, env)).json()).toEqual({
      ok: true,
      service: "wfp-outbound",
    });
    const fromTenant = await send(
      "http://127.0.0.1:8790/__platform/health",
      { headers: paramsHeader("acme", "pro") },
      env,
    );
    expect(fromTenant.status).toBe(403);
  });
});

describe("egressVerdict", () => {
  const hosts = platformHosts({ PLATFORM_DOMAIN: "platform.example", PLATFORM_HOSTS: ["api.platform-admin.example"] });
  const verdict = (url: string, plan: keyof typeof PLANS = "pro") => egressVerdict(new URL(url), PLANS[plan], hosts);

  it("refuses the platform's own hostnames and every tenant's subdomain", () => {
    for (const url of [
      "https://platform.example/",
      "https://acme.platform.example/",
      "https://api.platform-admin.example/",
    ]) {
      expect(verdict(url), url).toEqual({ allowed: false, reason: "platform" });
    }
  });

  it("refuses names that only resolve inside a network", () => {
    for (const url of [
      "http://metadata/",
      "http://intranet/",
      "http://db.internal/",
      "http://printer.local/",
      "http://x.localhost/",
    ]) {
      expect(verdict(url).allowed, url).toBe(false);
    }
  });

  it("refuses an address or local name however it is spelled: trailing dots, translated IPv6, short IPv4", () => {
    const refused: Record<string, string> = {
      "http://localhost./": "loopback",
      "http://app.localhost../": "loopback",
      "http://127.0.0.1./": "loopback",
      "http://127.1:8789/": "loopback",
      "http://[::ffff:0:7f00:1]:8789/": "loopback",
      "http://[::ffff:7f00:1]/": "loopback",
      "http://metadata.google.internal./": "metadata",
      "http://db.internal./": "private",
    };
    for (const [url, reason] of Object.entries(refused)) {
      expect(verdict(url, "enterprise"), url).toEqual({ allowed: false, reason });
    }
    expect(verdict("https://platform.example./")).toEqual({ allowed: false, reason: "platform" });
  });

  it("refuses schemes other than http and https", () => {
    expect(verdict("ftp://example.com/")).toEqual({ allowed: false, reason: "scheme" });
  });

  it("lets a plan without an allowlist reach any public host, and one with an allowlist only those", () => {
    expect(verdict("https://anything.example.org/", "pro")).toEqual({ allowed: true });
    expect(verdict("https://anything.example.org/", "free")).toEqual({ allowed: false, reason: "not_allowlisted" });
    expect(verdict("https://example.com./", "free")).toEqual({ allowed: true });
    expect(verdict("https://EXAMPLE.com/", "free")).toEqual({ allowed: true });
    expect(verdict("http://169.254.169.254/", "enterprise")).toEqual({ allowed: false, reason: "metadata" });
  });

  it("matches allowlist entries exactly or as *.subdomains", () => {
    expect(matchesAllowlist("api.example.com", ["api.example.com"])).toBe(true);
    expect(matchesAllowlist("x.api.example.com", ["api.example.com"])).toBe(false);
    expect(matchesAllowlist("a.b.example.com", ["*.example.com"])).toBe(true);
    expect(matchesAllowlist("example.com", ["*.example.com"])).toBe(false);
    expect(matchesAllowlist("evilexample.com", ["*.example.com"])).toBe(false);
  });
});
