import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CustomHostnameView } from "../../platform/custom-hostname-view.ts";
import { TenantHostnames } from "../api.ts";
import { type FakeControlPlane, startFakeControlPlane } from "./support/fake-control-plane.ts";
import { explain, runCli } from "./support/run-cli.ts";

// `wfp hostnames` against the stand-in control plane, whose tenant reads move custom hostnames
// through the states the control plane reports (support/fake-control-plane.ts).
let fake: FakeControlPlane;
beforeAll(async () => {
  fake = await startFakeControlPlane();
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(() => fake.reset());

const wfp = (args: readonly string[]) =>
  runCli([...args, "--interval", "10"], { env: { WFP_API_URL: fake.url, WFP_API_TOKEN: fake.token } });

const OWNERSHIP = { type: "txt", name: "_cf-custom-hostname.shop.example.com", value: "6f1d-ownership" } as const;
const DCV = { type: "txt", name: "_acme-challenge.shop.example.com", value: "kX3-dcv-token" } as const;
const HTTP_DCV = {
  type: "http",
  url: "http://blog.example.net/.well-known/pki-validation/ca3-token.txt",
  body: "ca3-body",
} as const;

const pending: CustomHostnameView = {
  hostname: "shop.example.com",
  status: "pending",
  ssl: { status: "pending_validation", records: [DCV] },
  ownership: OWNERSHIP,
  errors: [],
  checkedAt: "2026-11-01T00:00:05.000Z",
  liveAt: null,
};
const live: CustomHostnameView = {
  ...pending,
  status: "active",
  ssl: { status: "active", records: [] },
  ownership: null,
  liveAt: "2026-11-01T00:01:00.000Z",
};
const timedOut: CustomHostnameView = {
  ...pending,
  status: "moved",
  ssl: { status: "validation_timed_out", records: [DCV] },
  errors: ["custom hostname does not CNAME to this zone."],
};

async function tenantWith(id: string, reads: CustomHostnameView[][]): Promise<void> {
  const run = await wfp(["tenants", "create", id, "--plan", "free", "--hostname", "shop.example.com"]);
  expect(run.code, explain(run)).toBe(0);
  fake.setCustomHostnames(id, reads);
}

describe("wfp hostnames", () => {
  it("prints each hostname's status and exactly the records to publish", async () => {
    const blog = {
      ...pending,
      hostname: "blog.example.net",
      ownership: null,
      ssl: { ...pending.ssl, records: [HTTP_DCV] },
    };
    await tenantWith("acme", [[pending, blog]]);
    const run = await wfp(["hostnames", "acme"]);
    expect(run.code, explain(run)).toBe(0);
    expect(run.stdout).toContain("shop.example.com  pending  (certificate pending_validation; not live yet)");
    expect(run.stdout).toContain("TXT   _cf-custom-hostname.shop.example.com  6f1d-ownership");
    expect(run.stdout).toContain("TXT   _acme-challenge.shop.example.com  kX3-dcv-token");
    expect(run.stdout).toContain(`HTTP  ${HTTP_DCV.url}  ca3-body`);
    expect(fake.requests.at(-1)).toEqual({ method: "GET", path: "/v1/tenants/acme", body: undefined });
  });

  it("--json prints the tenant's id and custom hostnames as the API gave them", async () => {
    await tenantWith("acme", [[pending]]);
    const run = await wfp(["hostnames", "acme", "--json"]);
    expect(run.code, explain(run)).toBe(0);
    expect(TenantHostnames.parse(JSON.parse(run.stdout))).toEqual({ id: "acme", customHostnames: [pending] });
    expect(run.stderr).toBe("");
  });

  it("a tenant without custom hostnames says so", async () => {
    await tenantWith("plain", [[]]);
    const run = await wfp(["hostnames", "plain"]);
    expect(run.code, explain(run)).toBe(0);
    expect(run.stdout).toContain("tenant plain has no custom hostnames");
  });

  it("--wait polls until every hostname is live, noting each change, then exits 0", async () => {
    const issuing = { ...pending, ssl: { status: "pending_issuance", records: [] } };
    await tenantWith("acme", [[pending], [pending], [issuing], [live]]);
    const run = await wfp(["hostnames", "acme", "--wait"]);
    expect(run.code, explain(run)).toBe(0);
    expect(run.stderr).toContain("shop.example.com  pending  (certificate pending_issuance; not live yet)");
    expect(run.stdout).toContain("shop.example.com  active  (certificate active; live)");
    expect(run.stdout).toContain("live since 2026-11-01T00:01:00.000Z");
    expect(run.stdout).not.toContain("_acme-challenge");
  });

  it("--wait exits 4 with the hostname that failed validation, and its errors", async () => {
    await tenantWith("acme", [[pending], [timedOut]]);
    const run = await wfp(["hostnames", "acme", "--wait", "--json"]);
    expect(run.code, explain(run)).toBe(4);
    expect(JSON.parse(run.stdout).customHostnames).toEqual([timedOut]);
    expect(JSON.parse(run.stderr).error).toEqual({
      code: "hostname_failed",
      message: "not validated: shop.example.com (moved, certificate validation_timed_out)",
    });
    fake.setCustomHostnames("acme", [[timedOut]]);
    const human = await wfp(["hostnames", "acme"]);
    expect(human.stdout).toContain("shop.example.com  moved  (certificate validation_timed_out; failed)");
    expect(human.stdout).toContain("error: custom hostname does not CNAME to this zone.");
  });

  it("--wait on a hostname whose records never appear: exit 4 wait_timeout, still printing where it is", async () => {
    await tenantWith("acme", [[pending]]);
    const run = await wfp(["hostnames", "acme", "--wait", "--timeout", "0.2", "--json"]);
    expect(run.code, explain(run)).toBe(4);
    expect(JSON.parse(run.stderr).error.code).toBe("wait_timeout");
    expect(JSON.parse(run.stdout).customHostnames).toEqual([pending]);
  });

  it("--check asks for each hostname to be validated again (POST …/check with {}), then prints them; --wait goes on", async () => {
    await tenantWith("acme", [[timedOut], [pending], [live]]);
    const run = await wfp(["hostnames", "acme", "--check", "shop.example.com", "--wait"]);
    expect(run.code, explain(run)).toBe(0);
    const checks = fake.requests.filter((request) => request.path.endsWith("/check"));
    expect(checks).toEqual([
      { method: "POST", path: "/v1/tenants/acme/custom-hostnames/shop.example.com/check", body: {} },
    ]);
    expect(run.stderr).toContain("shop.example.com  moved  (certificate validation_timed_out; failed)");
    expect(run.stdout).toContain("shop.example.com  active  (certificate active; live)");
  });

  it("--check of a hostname the tenant does not have is the API's 404 (exit 1), before any listing", async () => {
    await tenantWith("acme", [[pending]]);
    const run = await wfp(["hostnames", "acme", "--check", "blog.example.com"]);
    expect(run.code, explain(run)).toBe(1);
    expect(run.stderr).toContain("not_found");
    expect(run.stdout).toBe("");
  });

  it("an unknown tenant is the API's 404 (exit 1); a missing tenant argument is usage (exit 2)", async () => {
    const unknown = await wfp(["hostnames", "ghost"]);
    expect(unknown.code, explain(unknown)).toBe(1);
    expect(unknown.stderr).toContain("not_found");
    const usage = await wfp(["hostnames"]);
    expect(usage.code, explain(usage)).toBe(2);
  });

  it("an answer without customHostnames is off-contract: exit 3 bad_response", async () => {
    await tenantWith("acme", [[pending]]);
    fake.injectNext(200, JSON.stringify({ id: "acme", customHostnames: [{ hostname: "shop.example.com" }] }));
    const run = await wfp(["hostnames", "acme"]);
    expect(run.code, explain(run)).toBe(3);
    expect(run.stderr).toContain("bad_response");
  });
});
