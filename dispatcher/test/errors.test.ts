import { describe, expect, it } from "vitest";
import { prefersHtml } from "../src/errors";
import { REQUEST_ID_HEADER } from "../src/tenant-request";
import { errorOf, harness, putRoute, routeFor, tenant, testEnv, unique } from "./support";

const REQUEST_ID = /^[0-9a-f-]{36}$/;

/** A tenant whose Worker throws with details that must not reach the client. */
const thrower = `export default { async fetch() {
  throw new Error("db password hunter2 at /srv/tenant/index.js:42");
} };`;

/**
 * A tenant whose Worker makes 11 subrequests, then answers "done": the free
 * plan allows 10 (the 11th throws "Too many subrequests." in the tenant).
 */
const elevenSubrequests = `export default { async fetch() {
  for (let i = 0; i < 11; i++) await (await fetch("https://example.com/" + i)).arrayBuffer();
  return new Response("done");
} };`;

describe("errors", () => {
  it("unknown host: 404 tenant_not_found, with the request id in the body and the header", async () => {
    const res = await harness().fetch(`http://${unique("ghost")}.example.org/`);
    const error = await errorOf(res, 404);
    expect(error).toEqual({
      code: "tenant_not_found",
      message: "No tenant is served at this address.",
      requestId: expect.stringMatching(REQUEST_ID),
    });
    expect(res.headers.get(REQUEST_ID_HEADER)).toBe(error.requestId);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  });

  it("a route whose script is not in the namespace: 404 tenant_not_deployed", async () => {
    const tenantId = unique("undeployed");
    await putRoute(`${tenantId}.localhost`, routeFor(tenantId));
    const error = await errorOf(await harness().fetch(`http://${tenantId}.localhost/`), 404);
    expect(error.code).toBe("tenant_not_deployed");
  });

  it("a suspended tenant: 403 tenant_suspended, and its Worker is not run", async () => {
    const { host } = await tenant(thrower, { status: "suspended" });
    const error = await errorOf(await harness().fetch(`http://${host}/`), 403);
    expect(error.code).toBe("tenant_suspended");
  });

  it("a custom hostname still being validated: 503 hostname_pending with Retry-After, and its Worker is not run", async () => {
    const { host } = await tenant(thrower, { status: "pending" });
    const res = await harness().fetch(`http://${host}/`);
    const error = await errorOf(res, 503);
    expect(error).toEqual({
      code: "hostname_pending",
      message: expect.stringMatching(/being set up/),
      requestId: expect.stringMatching(REQUEST_ID),
    });
    expect(res.headers.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
  });

  it("a pending hostname is served once the control plane marks its route active", async () => {
    const { tenantId, host } = await tenant(`export default { fetch() { return new Response("shop"); } };`, {
      status: "pending",
    });
    expect((await errorOf(await harness().fetch(`http://${host}/`), 503)).code).toBe("hostname_pending");
    await putRoute(host, routeFor(tenantId));
    const res = await harness().fetch(`http://${host}/`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("shop");
  });

  it("a pending hostname answers a browser with the HTML page saying the domain is being set up", async () => {
    const { host } = await tenant(thrower, { status: "pending" });
    const res = await harness().fetch(`http://${host}/`, { headers: { accept: "text/html" } });
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
    const html = await res.text();
    expect(html).toContain("being set up");
    expect(html).toContain("hostname_pending");
    expect(html).not.toContain("hunter2");
  });

  it("a Worker over its plan's subrequests: 503 limit_exceeded", async () => {
    const { host } = await tenant(elevenSubrequests, { plan: "free" });
    const error = await errorOf(await harness().fetch(`http://${host}/`), 503);
    expect(error.code).toBe("limit_exceeded");
  });

  it("the same Worker within a plan that allows its subrequests is served", async () => {
    const { host } = await tenant(elevenSubrequests, { plan: "pro" });
    const res = await harness().fetch(`http://${host}/`);
    expect(await res.text()).toBe("done");
  });

  it("a Worker over its CPU time: 503 limit_exceeded (the runtime's error; the emulator cannot enforce cpuMs)", async () => {
    const { host } = await tenant(
      `export default { fetch() { throw new Error("Worker exceeded CPU time limit."); } };`,
    );
    expect((await errorOf(await harness().fetch(`http://${host}/`), 503)).code).toBe("limit_exceeded");
  });

  it("anything the Worker throws: 502 tenant_error, and nothing of what it threw", async () => {
    const { host } = await tenant(thrower);
    const res = await harness().fetch(`http://${host}/`);
    const text = await res.text();
    expect(res.status).toBe(502);
    expect(JSON.parse(text).error.code).toBe("tenant_error");
    expect(text).not.toMatch(/hunter2|\/srv|index\.js|at /);
  });

  it("a Worker's own error responses are the client's answer, untouched", async () => {
    const { host } = await tenant(
      `export default { fetch() { return new Response("teapot", { status: 500, headers: { "x-own": "1" } }); } };`,
    );
    const res = await harness().fetch(`http://${host}/`);
    expect(res.status).toBe(500);
    expect(res.headers.get("x-own")).toBe("1");
    expect(await res.text()).toBe("teapot");
  });

  it("a routing table entry that is not a route: 500 platform_error, naming nothing", async () => {
    const host = `${unique("corrupt")}.localhost`;
    await putRoute(host, { tenantId: "x", plan: "platinum" });
    const res = await harness().fetch(`http://${host}/`);
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(JSON.parse(text).error.code).toBe("platform_error");
    expect(text).not.toMatch(/platinum|host:/);
  });

  it("the routing table unavailable: 500 platform_error, and the next request reads it again", async () => {
    const { host } = await tenant(`export default { fetch() { return new Response("up"); } };`);
    let down = true;
    const routes = {
      get: (...args: Parameters<KVNamespace["get"]>) => {
        if (down) return Promise.reject(new Error("KV is down: internal address 10.0.0.7"));
        return testEnv.ROUTES.get(...args);
      },
    } as KVNamespace;
    const h = harness({ ROUTES: routes });
    const res = await h.fetch(`http://${host}/`);
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(text).not.toContain("10.0.0.7");
    down = false;
    expect(await (await h.fetch(`http://${host}/`)).text()).toBe("up");
  });

  it("answers in HTML when the client prefers it, with the same code and request id", async () => {
    const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";
    const { host } = await tenant(thrower);
    const res = await harness().fetch(`http://${host}/`, { headers: { accept: browserAccept } });
    expect(res.status).toBe(502);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const html = await res.text();
    expect(html).toContain("<code>tenant_error</code>");
    expect(html).toContain(`<code>${res.headers.get(REQUEST_ID_HEADER)}</code>`);
    expect(html).not.toContain("hunter2");
  });

  it("reads Accept's preferences", () => {
    expect(prefersHtml(null)).toBe(false);
    expect(prefersHtml("*/*")).toBe(false);
    expect(prefersHtml("application/json")).toBe(false);
    expect(prefersHtml("text/html")).toBe(true);
    expect(prefersHtml("text/*")).toBe(true);
    expect(prefersHtml("text/html;q=0.5, application/json")).toBe(false);
    expect(prefersHtml("application/json;q=0.1, text/html;q=0.2")).toBe(true);
    expect(prefersHtml("text/html;q=0, */*")).toBe(false);
  });

  it("every answer through the real entry point carries a request id", async () => {
    const { default: worker } = await import("../src/index");
    const ctx = { waitUntil() {}, passThroughOnException() {}, props: {} } as unknown as ExecutionContext;
    const res = await worker.fetch(new Request("http://localhost/__platform/health"), testEnv, ctx);
    expect(res.headers.get(REQUEST_ID_HEADER)).toMatch(REQUEST_ID);
  });
});
