import { describe, expect, it } from "vitest";
import type { TenantId } from "../../../platform/routes";
import { cloudflareClientFromEnv } from "../../src/cloudflare/client";
import { configOf } from "../../src/config";
import { requestCounts } from "../../src/metrics";
import { hit, tenantWithCode } from "./counted-tenants";
import { eventually } from "./eventually";
import { ensureNamespace, testEnv, uniqueId } from "./support";

// The dispatcher's metering read back by the control plane: requests go through the dispatcher
// (whose METRICS is the emulator's Analytics Engine store, as in npm run dev), and requestCounts
// reads them with the SQL API through the control plane's own Cloudflare client and config.

describe("requestCounts, from the dispatcher's metering", () => {
  it("counts each tenant's requests and errors since a time, every tenant asked for in the map", async () => {
    await ensureNamespace();
    const since = new Date();
    const [busy, calm] = await Promise.all([tenantWithCode("busy"), tenantWithCode("calm")]);
    const idle = uniqueId("idle") as TenantId;
    // The route cache may still miss a tenant onboarded a moment ago: wait for each to answer.
    await eventually(async () => ((await hit(busy)) === 200 ? true : null));
    await eventually(async () => ((await hit(calm)) === 200 ? true : null));
    for (const path of ["/", "/", "/boom"]) await hit(busy, path);
    const config = configOf(testEnv);
    const client = cloudflareClientFromEnv(testEnv, config.cloudflareClient);
    const query = { dataset: config.metricsDataset, tenantIds: [busy, calm, idle], since };
    // Requests that missed the route (404 before the tenant was routed) count under no tenant; the
    // first 200 of each is counted, and so is every request after it.
    const counts = await eventually(async () => {
      const seen = await requestCounts(client, query);
      return seen.get(busy)?.requests === 4 && seen.get(calm)?.requests === 1 ? seen : null;
    });
    expect(counts).toEqual(
      new Map([
        [busy, { requests: 4, errors: 1 }],
        [calm, { requests: 1, errors: 0 }],
        [idle, { requests: 0, errors: 0 }],
      ]),
    );
  }, 60_000);

  it("counts nothing before `since` nor after `until`", async () => {
    await ensureNamespace();
    const id = await tenantWithCode("window");
    await eventually(async () => ((await hit(id)) === 200 ? true : null));
    const config = configOf(testEnv);
    const client = cloudflareClientFromEnv(testEnv, config.cloudflareClient);
    await eventually(async () => {
      const seen = await requestCounts(client, { dataset: config.metricsDataset, tenantIds: [id], since: new Date(0) });
      return (seen.get(id)?.requests ?? 0) > 0 ? seen : null;
    });
    const later = new Date(Date.now() + 2_000);
    const none = await requestCounts(client, { dataset: config.metricsDataset, tenantIds: [id], since: later });
    expect(none.get(id)).toEqual({ requests: 0, errors: 0 });
    const before = await requestCounts(client, {
      dataset: config.metricsDataset,
      tenantIds: [id],
      since: new Date(0),
      until: new Date(1_000_000),
    });
    expect(before.get(id)).toEqual({ requests: 0, errors: 0 });
  }, 60_000);
});

describe("METRICS_DATASET", () => {
  it("is wfp_requests unless set, and a name the SQL API cannot query is refused, named", () => {
    const { METRICS_DATASET: _, ...unset } = testEnv;
    expect(configOf(unset).metricsDataset).toBe("wfp_requests");
    expect(configOf({ ...testEnv, METRICS_DATASET: "requests_v2" }).metricsDataset).toBe("requests_v2");
    expect(() => configOf({ ...testEnv, METRICS_DATASET: "wfp-requests; DROP" })).toThrow(/METRICS_DATASET/);
  });
});
