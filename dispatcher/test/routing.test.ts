import { beforeAll, describe, expect, it } from "vitest";
import { type Echo, errorOf, harness, putRoute, routeFor, scripts, tenant, testEnv, unique } from "./support";

let echo: { tenantId: string; host: string };

beforeAll(async () => {
  echo = await tenant(scripts.echo);
});

describe("subdomains of PLATFORM_DOMAIN", () => {
  it("sends <tenant>.localhost to the tenant's Worker, path and query intact", async () => {
    const res = await harness().fetch(`http://${echo.host}:8787/some/path?q=1`);
    expect(res.status).toBe(200);
    const seen = await res.json<Echo>();
    expect(new URL(seen.url).pathname).toBe("/some/path");
    expect(new URL(seen.url).search).toBe("?q=1");
    expect(seen.headers["x-platform-tenant"]).toBe(echo.tenantId);
  });

  it("answers 404 tenant_not_found for a subdomain with no route", async () => {
    const error = await errorOf(await harness().fetch(`http://${unique("nobody")}.localhost:8787/`), 404);
    expect(error.code).toBe("tenant_not_found");
  });

  it("answers 404 tenant_not_found for a hostname no route can have (empty, or past 253 characters), not a 500", async () => {
    const long = `${Array.from({ length: 4 }, (_, i) => String(i).repeat(63)).join(".")}.localhost`;
    for (const host of [".", "..", long]) {
      const error = await errorOf(await harness().fetch(`http://${host}/`), 404);
      expect(error.code, host).toBe("tenant_not_found");
    }
  });
});

describe("custom hostnames", () => {
  it("match exactly, whatever the case, the port or a trailing dot", async () => {
    const hostname = `${unique("shop")}.example.com`;
    await putRoute(hostname, routeFor(echo.tenantId));
    const h = harness();
    for (const host of [hostname, hostname.toUpperCase(), `${hostname}:8443`, `${hostname}.`]) {
      const res = await h.fetch(`http://${host}/x`);
      expect(res.status, host).toBe(200);
      expect((await res.json<Echo>()).headers["x-platform-tenant"]).toBe(echo.tenantId);
    }
  });

  it("do not match a subdomain or a parent of the routed hostname", async () => {
    const hostname = `${unique("exact")}.example.com`;
    await putRoute(hostname, routeFor(echo.tenantId));
    const h = harness();
    for (const host of [`www.${hostname}`, hostname.split(".").slice(1).join(".")]) {
      expect((await errorOf(await h.fetch(`http://${host}/`), 404)).code, host).toBe("tenant_not_found");
    }
  });
});

describe("path mode: /<tenant>/... on the platform's own hosts", () => {
  it("sends /<tenant>/rest to the tenant at <tenant>.<domain>, without the prefix", async () => {
    const h = harness();
    for (const host of ["localhost:8787", "127.0.0.1:8787"]) {
      const seen = await (await h.fetch(`http://${host}/${echo.tenantId}/a/b?c=d`)).json<Echo>();
      expect(new URL(seen.url).pathname, host).toBe("/a/b");
      expect(new URL(seen.url).search).toBe("?c=d");
      expect(seen.headers["x-platform-tenant"]).toBe(echo.tenantId);
    }
    const bare = await (await h.fetch(`http://localhost/${echo.tenantId}`)).json<Echo>();
    expect(new URL(bare.url).pathname).toBe("/");
  });

  it("answers tenant_not_found for a path that names no tenant", async () => {
    const h = harness();
    for (const path of [`/${unique("nobody")}/`, "/", "/Not_A_Label/", "/%61cme/"]) {
      expect((await errorOf(await h.fetch(`http://localhost${path}`), 404)).code, path).toBe("tenant_not_found");
    }
  });

  it("is off when PATH_ROUTING is not true: the platform's hosts then serve no tenant", async () => {
    const h = harness({ PATH_ROUTING: "false" });
    const error = await errorOf(await h.fetch(`http://localhost/${echo.tenantId}/`), 404);
    expect(error.code).toBe("tenant_not_found");
    expect((await h.fetch(`http://${echo.host}/`)).status).toBe(200);
  });
});

describe("the platform's own hosts", () => {
  it("serve /__platform/health", async () => {
    const h = harness();
    for (const host of ["localhost:8787", "127.0.0.1:8787", "LOCALHOST"]) {
      const res = await h.fetch(`http://${host}/__platform/health`);
      expect(res.status, host).toBe(200);
      expect(await res.json()).toEqual({ ok: true, service: "wfp-dispatcher" });
    }
    expect((await h.fetch("http://localhost/__platform/health", { method: "HEAD" })).status).toBe(200);
    const post = await h.fetch("http://localhost/__platform/health", { method: "POST" });
    expect((await errorOf(post, 405)).code).toBe("method_not_allowed");
    expect(post.headers.get("allow")).toBe("GET, HEAD");
  });

  it("serve nothing else", async () => {
    const h = harness({ PATH_ROUTING: "false" });
    for (const path of ["/", "/__platform/other", "/__platform/health/x"]) {
      expect((await errorOf(await h.fetch(`http://localhost${path}`), 404)).code, path).toBe("tenant_not_found");
    }
  });

  it("leave /__platform/health on a tenant's host to the tenant", async () => {
    const seen = await (await harness().fetch(`http://${echo.host}/__platform/health`)).json<Echo>();
    expect(new URL(seen.url).pathname).toBe("/__platform/health");
  });
});

describe("configuration", () => {
  it("answers 500 platform_error, naming nothing, when a var is wrong", async () => {
    expect(() => harness({ ROUTE_CACHE_TTL_MS: "soon" })).toThrow(
      /^invalid dispatcher configuration: ROUTE_CACHE_TTL_MS: /,
    );
    const { default: worker } = await import("../src/index");
    const env = { ...testEnv, PLATFORM_DOMAIN: "not a domain" };
    const res = await worker.fetch(new Request("http://localhost/__platform/health"), env, {} as ExecutionContext);
    const error = await errorOf(res, 500);
    expect(error.code).toBe("platform_error");
    expect(JSON.stringify(error)).not.toMatch(/PLATFORM_DOMAIN/);
  });
});
