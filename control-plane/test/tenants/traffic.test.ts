import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, describe, expect, it } from "vitest";
import {
  MAX_TRAFFIC_BUCKETS,
  resolveTrafficWindow,
  STATUS_CLASSES,
  TenantTraffic,
  TrafficQuery,
} from "../../../platform/tenant-traffic";
import { app } from "../../src/app";
import { configOf } from "../../src/config";
import { api, clearFaults, injectFault, TOKEN, testEnv, uniqueId } from "./support";
import { EXPECTED, SLOW_MS, sendKnownTraffic, trafficTenant } from "./traffic-pattern";

// GET /v1/tenants/{id}/traffic: requests sent through the dispatcher, metered into the emulator's
// Analytics Engine, read back in buckets through the SQL API with the control plane's client.

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);

describe("GET /v1/tenants/{id}/traffic", () => {
  afterEach(clearFaults);

  it("answers every bucket of the window: the requests, their status classes, errors and latency", async () => {
    const id = await trafficTenant();
    const traffic = await sendKnownTraffic(id);
    expect(traffic.tenantId).toBe(id);
    expect(traffic.step).toBe(60);
    // A continuous series: one bucket per minute from `from`, whole minutes, to `until`.
    const from = Date.parse(traffic.from);
    const until = Date.parse(traffic.until);
    expect(from % 60_000).toBe(0);
    expect(until - from).toBeGreaterThanOrEqual(3_600_000);
    expect(traffic.buckets).toHaveLength(Math.ceil((until - from) / 60_000));
    expect(traffic.buckets.map((bucket) => Date.parse(bucket.start))).toEqual(
      traffic.buckets.map((_, i) => from + i * 60_000),
    );

    const { buckets } = traffic;
    expect(sum(buckets.map((b) => b.requests))).toBe(EXPECTED.requests);
    for (const statusClass of STATUS_CLASSES) {
      expect(sum(buckets.map((b) => b.statuses[statusClass])), statusClass).toBe(EXPECTED.statuses[statusClass]);
    }
    expect(sum(buckets.map((b) => b.errors))).toBe(EXPECTED.errors);
    for (const bucket of buckets) {
      // Each bucket's classes add up to its requests; without requests, no latency.
      expect(sum(STATUS_CLASSES.map((c) => bucket.statuses[c]))).toBe(bucket.requests);
      if (bucket.requests === 0) expect(bucket.latencyMs).toEqual({ p50: null, p95: null });
    }
    const busy = buckets.filter((b) => b.requests > 0);
    // The requests took a few seconds at most: one bucket, or two when a minute turned meanwhile.
    expect(busy.length).toBeGreaterThanOrEqual(1);
    expect(busy.length).toBeLessThanOrEqual(2);
    const slowest = Math.max(...busy.map((b) => b.latencyMs.p95 ?? 0));
    // /slow waits SLOW_MS before answering: the largest request's latency is at least that.
    expect(slowest).toBeGreaterThanOrEqual(SLOW_MS);
    for (const { latencyMs } of busy) expect(latencyMs.p50).toBeLessThanOrEqual(latencyMs.p95 ?? -1);
  });

  it("counts nothing outside the window, and takes a step and a window of its own", async () => {
    const id = await trafficTenant();
    await sendKnownTraffic(id);
    const past = await api("GET", `/v1/tenants/${id}/traffic?since=2h&until=2020-01-01T02:00:00Z&step=900`);
    expect(past.status, past.text).toBe(200);
    const earlier = TenantTraffic.parse(past.json);
    expect(earlier.from).toBe("2020-01-01T00:00:00.000Z");
    expect(earlier.until).toBe("2020-01-01T02:00:00.000Z");
    expect(earlier.buckets.map((b) => b.start)).toHaveLength(8);
    expect(earlier.buckets.every((b) => b.requests === 0 && b.latencyMs.p95 === null)).toBe(true);

    // A day in 15-minute buckets by default, every request in it.
    const day = TenantTraffic.parse((await api("GET", `/v1/tenants/${id}/traffic?since=24h`)).json);
    expect(day.step).toBe(900);
    expect(day.buckets.length).toBeGreaterThanOrEqual(96);
    expect(day.buckets.length).toBeLessThanOrEqual(97);
    expect(sum(day.buckets.map((b) => b.requests))).toBe(EXPECTED.requests);
  });

  it("refuses a window it would not answer with a 400 naming the field", async () => {
    const id = await trafficTenant();
    const cases: [string, string][] = [
      ["since=7d&step=60", "query.step"],
      ["since=3000d", "query.since"],
      ["since=1h&step=7", "query.step"],
      ["since=1h&step=7000", "query.step"],
      ["since=yesterday", "query.since"],
      ["since=2030-01-01T00:00:00Z", "query.since"],
      ["until=soon", "query.until"],
      ["window=1h", "query"],
    ];
    for (const [query, field] of cases) {
      const { status, json } = await api("GET", `/v1/tenants/${id}/traffic?${query}`);
      expect(status, query).toBe(400);
      const error = (json as unknown as { error: { code: string; details: { path: string }[] } }).error;
      expect(error.code, query).toBe("invalid_request");
      expect(
        error.details.map((d) => d.path),
        query,
      ).toContain(field);
    }
  });

  it("is a 404 for a tenant there is not", async () => {
    const { status, json } = await api("GET", `/v1/tenants/${uniqueId("nobody")}/traffic`);
    expect(status).toBe(404);
    expect((json as unknown as { error: { code: string } }).error.code).toBe("not_found");
  });

  it("is a 502 upstream_error, not a 500, when Analytics Engine fails", async () => {
    const id = await trafficTenant();
    await injectFault({
      method: "POST",
      path: "/accounts/*/analytics_engine/sql",
      times: 100,
      action: { kind: "fail", status: 422, code: 0, message: "the query failed" },
    });
    const { status, json } = await api("GET", `/v1/tenants/${id}/traffic`);
    expect(status).toBe(502);
    const error = (json as unknown as { error: { code: string; message: string } }).error;
    expect(error.code).toBe("upstream_error");
    expect(error.message).toMatch(/Analytics Engine/);
  });
});

describe("CLOUDFLARE_ANALYTICS_API_TOKEN", () => {
  /** The traffic route, with the control plane's env changed as given. */
  async function trafficWith(vars: Record<string, string>, id: string): Promise<number> {
    const ctx = createExecutionContext();
    const response = await app.fetch(
      new Request(`http://control-plane/v1/tenants/${id}/traffic`, { headers: { authorization: `Bearer ${TOKEN}` } }),
      { ...testEnv, ...vars },
      ctx,
    );
    await response.text();
    await waitOnExecutionContext(ctx);
    return response.status;
  }

  it("is what the metering is read with when set, and CLOUDFLARE_API_TOKEN otherwise", async () => {
    expect(configOf(testEnv).metricsClient.apiToken).toBe(testEnv.CLOUDFLARE_API_TOKEN);
    expect(configOf({ ...testEnv, CLOUDFLARE_ANALYTICS_API_TOKEN: "" }).metricsClient.apiToken).toBe(
      testEnv.CLOUDFLARE_API_TOKEN,
    );
    const separate = configOf({ ...testEnv, CLOUDFLARE_ANALYTICS_API_TOKEN: "read-only" });
    expect(separate.metricsClient.apiToken).toBe("read-only");
    // Nothing else uses it.
    expect(separate.cloudflareClient.apiToken).toBe(testEnv.CLOUDFLARE_API_TOKEN);

    // The emulator takes only its own token: a wrong analytics token fails the read (502), the right one works.
    const id = await trafficTenant();
    expect(await trafficWith({ CLOUDFLARE_ANALYTICS_API_TOKEN: "not-the-emulators-token" }, id)).toBe(502);
    expect(await trafficWith({ CLOUDFLARE_ANALYTICS_API_TOKEN: testEnv.CLOUDFLARE_API_TOKEN }, id)).toBe(200);
  });
});

describe("resolveTrafficWindow", () => {
  const now = Date.parse("2026-12-07T10:30:20.500Z");
  const resolve = (query: Record<string, string>) => resolveTrafficWindow(TrafficQuery.parse(query), now);

  it("rounds since down to its bucket and until up to the second; the step by the window unless given", () => {
    expect(resolve({})).toEqual({
      ok: true,
      window: { from: new Date("2026-12-07T09:30:00Z"), until: new Date("2026-12-07T10:30:21Z"), step: 60 },
    });
    const day = resolve({ since: "1d" });
    expect(day.ok && day.window.step).toBe(900);
    expect(day.ok && day.window.from.toISOString()).toBe("2026-12-06T10:30:00.000Z");
    const week = resolve({ since: "7d" });
    expect(week.ok && week.window.step).toBe(21_600);
    const at = resolve({ since: "2026-12-07T10:00:00+01:00", until: "2026-12-07T10:00:00Z", step: "300" });
    expect(at).toEqual({
      ok: true,
      window: { from: new Date("2026-12-07T09:00:00Z"), until: new Date("2026-12-07T10:00:00Z"), step: 300 },
    });
  });

  it(`allows at most ${MAX_TRAFFIC_BUCKETS} buckets`, () => {
    expect(resolve({ since: "1d", step: "60" }).ok).toBe(true);
    expect(resolve({ since: "2d", step: "60" })).toMatchObject({ ok: false, field: "step" });
    expect(resolve({ since: "10000d" })).toMatchObject({ ok: false, field: "since" });
  });
});
