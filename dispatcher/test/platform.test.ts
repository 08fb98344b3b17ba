import { describe, expect, it } from "vitest";
import { Hostname, normalizeHostname } from "../../platform/hostnames";
import { OUTBOUND_PARAMETERS } from "../../platform/outbound";
import { PLANS, PlanName } from "../../platform/plans";
import { PlatformHostsVars, platformHosts } from "../../platform/platform-hosts";
import { RouteRecord, routeKey, tenantHostname } from "../../platform/routes";

describe("platform/: what the dispatcher, the outbound Worker and the control plane share", () => {
  it("normalizes hostnames as the URL parser does, so written and read keys match", () => {
    expect(normalizeHostname("Acme.Example.COM:8443")).toBe("acme.example.com");
    expect(normalizeHostname("acme.example.com.")).toBe("acme.example.com");
    expect(normalizeHostname("bücher.example")).toBe("xn--bcher-kva.example");
    expect(normalizeHostname("[::1]:80")).toBe("[::1]");
    for (const bad of ["", "a b", "a/b", "user@host", "host:port", "a?b"])
      expect(normalizeHostname(bad), bad).toBeNull();
    expect(routeKey("ACME.localhost:8787")).toBe(routeKey("acme.localhost"));
    expect(routeKey("acme.localhost")).toBe("host:acme.localhost");
    expect(() => routeKey("not a host")).toThrow(TypeError);
    expect(Hostname.safeParse("nope nope").success).toBe(false);
    expect(tenantHostname("acme", "localhost")).toBe("acme.localhost");
  });

  it("validates route records: a tenant id is one DNS label, the plan one of the table's", () => {
    const route = { tenantId: "acme", scriptName: "acme", plan: "pro", status: "active" };
    expect(RouteRecord.parse(route)).toEqual(route);
    for (const bad of [
      { ...route, tenantId: "Acme" },
      { ...route, tenantId: "-acme" },
      { ...route, tenantId: "a".repeat(64) },
      { ...route, plan: "platinum" },
      { ...route, status: "deleted" },
      { ...route, scriptName: "Bad Name" },
    ]) {
      expect(RouteRecord.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it("has one plans table with limits for every plan, and the outbound parameters the wrangler config names", () => {
    for (const name of PlanName.options) {
      expect(PLANS[name].cpuMs).toBeGreaterThan(0);
      expect(PLANS[name].subRequests).toBeGreaterThan(0);
    }
    expect(OUTBOUND_PARAMETERS).toEqual(["tenantId", "plan"]);
  });

  it("parses the platform's hostnames from its vars", () => {
    const hosts = platformHosts(
      PlatformHostsVars.parse({ PLATFORM_DOMAIN: "Example.com", PLATFORM_HOSTS: " a.test , ,B.test" }),
    );
    expect(hosts.domain).toBe("example.com");
    expect([...hosts.own].sort()).toEqual(["a.test", "b.test", "example.com"]);
    expect(PlatformHostsVars.safeParse({ PLATFORM_DOMAIN: "x", PLATFORM_HOSTS: "bad host" }).success).toBe(false);
  });
});
