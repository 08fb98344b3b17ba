import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { RouteRecord } from "../../platform/routes";
import { RouteCache } from "../src/route-cache";
import { deployScript, errorOf, harness, manualClock, putRoute, routeFor, scripts, tenant, unique } from "./support";

describe("the route cache, through the dispatcher", () => {
  it("reads the routing table once for a hostname, then never on the hot path", async () => {
    const { host } = await tenant(scripts.hello("cached"));
    const h = harness();
    for (let i = 0; i < 50; i++) expect(await (await h.fetch(`http://${host}/${i}`)).text()).toBe("hello cached");
    expect(h.routes.reads).toBe(1);
  });

  it("caches that a hostname has no route", async () => {
    const h = harness();
    const host = `${unique("nobody")}.localhost`;
    for (let i = 0; i < 5; i++) await errorOf(await h.fetch(`http://${host}/`), 404);
    expect(h.routes.reads).toBe(1);
  });

  // The TTLs run on a clock the test moves (manualClock): the requests may take any time on a loaded
  // machine, and the cache still expires exactly when the configured TTL has passed on its clock.
  it("sees a changed route once the TTL has passed, not before", async () => {
    const { tenantId, host } = await tenant(scripts.hello("before"));
    const clock = manualClock();
    const h = harness({ ROUTE_CACHE_TTL_MS: "200" }, clock.now);
    expect(await (await h.fetch(`http://${host}/`)).text()).toBe("hello before");

    await putRoute(host, routeFor(tenantId, { status: "suspended" }));
    clock.advance(199);
    expect(await (await h.fetch(`http://${host}/`)).text()).toBe("hello before");
    expect(h.routes.reads).toBe(1);
    clock.advance(1);
    expect((await errorOf(await h.fetch(`http://${host}/`), 403)).code).toBe("tenant_suspended");
    expect(h.routes.reads).toBe(2);
  });

  it("sees a new route after the miss TTL where it had cached that there was none", async () => {
    const tenantId = unique("late");
    const host = `${tenantId}.localhost`;
    await deployScript(tenantId, scripts.hello("late"));
    // Misses have their own TTL, independent of (and shorter than) the routes'.
    const clock = manualClock();
    const h = harness({ ROUTE_CACHE_TTL_MS: "60000", ROUTE_CACHE_MISS_TTL_MS: "200" }, clock.now);
    await errorOf(await h.fetch(`http://${host}/`), 404);
    await putRoute(host, routeFor(tenantId));
    clock.advance(199);
    await errorOf(await h.fetch(`http://${host}/`), 404);
    expect(h.routes.reads).toBe(1);
    clock.advance(1);
    expect(await (await h.fetch(`http://${host}/`)).text()).toBe("hello late");
    expect(h.routes.reads).toBe(2);
  });

  it("keeps a pending route (a custom hostname being validated) only for the miss TTL: served soon after it goes live", async () => {
    const { tenantId, host } = await tenant(scripts.hello("live"));
    await putRoute(host, routeFor(tenantId, { status: "pending" }));
    const clock = manualClock();
    const h = harness({ ROUTE_CACHE_TTL_MS: "60000", ROUTE_CACHE_MISS_TTL_MS: "200" }, clock.now);
    expect((await errorOf(await h.fetch(`http://${host}/`), 503)).code).toBe("hostname_pending");
    await putRoute(host, routeFor(tenantId));
    clock.advance(199);
    expect((await errorOf(await h.fetch(`http://${host}/`), 503)).code).toBe("hostname_pending");
    expect(h.routes.reads).toBe(1);
    clock.advance(1);
    expect(await (await h.fetch(`http://${host}/`)).text()).toBe("hello live");
    expect(h.routes.reads).toBe(2);
  });

  it("reads the table every time when the TTL is 0", async () => {
    const { host } = await tenant(scripts.hello("uncached"));
    const h = harness({ ROUTE_CACHE_TTL_MS: "0" });
    for (let i = 0; i < 3; i++) await (await h.fetch(`http://${host}/`)).text();
    expect(h.routes.reads).toBe(3);
  });

  it("keeps its cache across requests to the deployed entry point (one dispatcher per isolate)", async () => {
    const { tenantId, host } = await tenant(scripts.hello("entry"));
    const get = () => exports.default.fetch(`http://${host}/`);
    expect(await (await get()).text()).toBe("hello entry");
    // Suspended in the table, but the local config's TTL (seconds) has not passed: still served from the cache.
    await putRoute(host, routeFor(tenantId, { status: "suspended" }));
    expect(await (await get()).text()).toBe("hello entry");
  });
});

describe("RouteCache", () => {
  const route = (tenantId: string) =>
    ({ tenantId, scriptName: tenantId, plan: "pro", status: "active" }) as RouteRecord;

  function counted(ttl: { routeMs: number; missMs: number }, maxEntries: number) {
    let now = 0;
    const reads: string[] = [];
    const cache = new RouteCache(
      async (hostname) => {
        reads.push(hostname);
        return hostname.startsWith("none") ? null : route(hostname);
      },
      ttl,
      maxEntries,
      () => now,
    );
    return { cache, reads, advance: (ms: number) => (now += ms) };
  }

  it("is bounded: past maxEntries the least recently used hostname is read again", async () => {
    const { cache, reads } = counted({ routeMs: 1000, missMs: 1000 }, 2);
    await cache.lookup("a");
    await cache.lookup("b");
    await cache.lookup("a"); // a is now the most recently used
    await cache.lookup("c"); // evicts b
    expect(cache.size).toBe(2);
    await cache.lookup("a");
    await cache.lookup("b");
    expect(reads).toEqual(["a", "b", "c", "b"]);
  });

  it("expires answers, found or not, after the TTL", async () => {
    const { cache, reads, advance } = counted({ routeMs: 100, missMs: 100 }, 10);
    expect(await cache.lookup("a")).toEqual(route("a"));
    expect(await cache.lookup("none")).toBeNull();
    advance(99);
    await cache.lookup("a");
    await cache.lookup("none");
    expect(reads).toEqual(["a", "none"]);
    advance(1);
    await cache.lookup("a");
    await cache.lookup("none");
    expect(reads).toEqual(["a", "none", "a", "none"]);
  });

  it("trusts a missing route for its own, shorter TTL", async () => {
    const { cache, reads, advance } = counted({ routeMs: 1000, missMs: 100 }, 10);
    await cache.lookup("a");
    await cache.lookup("none");
    advance(100);
    await cache.lookup("a");
    await cache.lookup("none");
    expect(reads).toEqual(["a", "none", "none"]);
  });

  it("does not cache a failed read", async () => {
    let fail = true;
    const cache = new RouteCache(
      async (hostname) => {
        if (fail) throw new Error("KV unavailable");
        return route(hostname);
      },
      { routeMs: 1000, missMs: 1000 },
      10,
    );
    await expect(cache.lookup("a")).rejects.toThrow("KV unavailable");
    fail = false;
    expect(await cache.lookup("a")).toEqual(route("a"));
  });
});
