import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { AnalyticsDataset } from "../../../cloudflare-api/analytics-engine-sql";
import type { TenantId } from "../../../platform/routes";
import { CloudflareApiError } from "../../src/cloudflare/errors";
import { requestCounts, requestCountsSql } from "../../src/metrics";
import { addFault, faultHits, type RequestLog, rejectionOf, testClient } from "./support";

// The client's Analytics Engine SQL call against the emulator's SQL API; the counts read back
// from the dispatcher's own points are tested in test/tenants/metrics.test.ts.

const dataset = AnalyticsDataset.parse("wfp_requests");

describe("analytics.sql", () => {
  it("sends the query as the body and parses ClickHouse's JSON answer", async () => {
    const log: RequestLog = [];
    const api = testClient({ log });
    const answer = await api.analytics.sql("SELECT count() AS n, 'hello' AS greeting FROM wfp_requests");
    expect(answer).toEqual({
      meta: [
        { name: "n", type: "UInt64" },
        { name: "greeting", type: "String" },
      ],
      data: [{ n: "0", greeting: "hello" }],
      rows: 1,
    });
    expect(log).toEqual([`POST /accounts/${api.accountId}/analytics_engine/sql`]);
  });

  it("hands back a refused query as a CloudflareApiError with the API's reason, sent once", async () => {
    const log: RequestLog = [];
    const api = testClient({ log });
    const error = await rejectionOf(api.analytics.sql("SELECT nope() FROM wfp_requests"));
    expect(error).toBeInstanceOf(CloudflareApiError);
    expect(error).toMatchObject({ status: 422, apiMessage: "unsupported function: nope" });
    expect((error as CloudflareApiError).message).toBe(
      "query Analytics Engine failed: HTTP 422: unsupported function: nope",
    );
    expect(log).toHaveLength(1);
  });

  it("is a read: sent again after a 503", async () => {
    const api = testClient({ emulator: "gated" });
    const fault = await addFault({
      method: "POST",
      path: `/accounts/${api.accountId}/analytics_engine/sql`,
      times: 1,
      action: { kind: "fail", status: 503, code: 10013, message: "try again" },
    });
    expect((await api.analytics.sql("SELECT 1 AS one")).data).toEqual([{ one: 1 }]);
    expect(await faultHits(fault)).toBe(1);
  });

  it("keeps the token out of its errors", async () => {
    const api = testClient({ apiToken: "not-a-known-token" });
    const error = (await rejectionOf(api.analytics.sql("SELECT 1"))) as CloudflareApiError;
    expect(error.status).toBe(403);
    expect(`${error.message} ${JSON.stringify(error.errors)}`).not.toContain("not-a-known-token");
    expect(env.CLOUDFLARE_API_TOKEN).not.toBe("not-a-known-token");
  });
});

describe("requestCountsSql", () => {
  it("writes validated tenant ids and times as literals, and the dispatcher's columns by name", () => {
    const sql = requestCountsSql({ dataset, tenantIds: [], since: new Date(1_000_500), until: new Date(2_000_500) }, [
      "acme",
      "shop-2",
    ] as TenantId[]);
    expect(sql).toContain("WHERE index1 IN ('acme', 'shop-2')");
    expect(sql).toContain("timestamp >= toDateTime(1000)");
    expect(sql).toContain("timestamp < toDateTime(2001)");
    expect(sql).toContain("sum(if(blob4 != 'ok' OR double1 >= 500, _sample_interval, 0)) AS errors");
  });

  it("refuses a tenant id that was not validated rather than write it into the query", () => {
    const hostile = ["x') OR 1=1 --"] as TenantId[];
    expect(() => requestCountsSql({ dataset, tenantIds: hostile, since: new Date(0) }, hostile)).toThrow(
      "not a tenant id",
    );
  });
});

describe("requestCounts", () => {
  /** An API that answers every query with `rows`, noting the queries. */
  const answering = (rows: Record<string, string | number>[], queries: string[] = []) => ({
    analytics: {
      sql: async (query: string) => {
        queries.push(query);
        return { meta: [], data: rows, rows: rows.length };
      },
    },
  });

  it("asks for at most 200 tenants a query, and has every tenant asked for in its map", async () => {
    const ids = Array.from({ length: 450 }, (_, i) => `tenant-${i}`) as TenantId[];
    const queries: string[] = [];
    const rows = [
      { tenant: "tenant-7", requests: "12", errors: "3" },
      { tenant: "not-asked", requests: "1", errors: "0" },
    ];
    const counts = await requestCounts(answering(rows, queries), { dataset, tenantIds: ids, since: new Date(0) });
    expect(queries).toHaveLength(3);
    expect(queries.map((q) => (q.match(/'tenant-\d+'/g) ?? []).length)).toEqual([200, 200, 50]);
    expect(counts.size).toBe(450);
    expect(counts.get("tenant-7" as TenantId)).toEqual({ requests: 12, errors: 3 });
    expect(counts.get("tenant-8" as TenantId)).toEqual({ requests: 0, errors: 0 });
    expect(counts.has("not-asked" as TenantId)).toBe(false);
  });

  it("sends nothing for no tenants, and refuses an answer of another shape", async () => {
    const queries: string[] = [];
    expect((await requestCounts(answering([], queries), { dataset, tenantIds: [], since: new Date(0) })).size).toBe(0);
    expect(queries).toEqual([]);
    const odd = answering([{ tenant: "acme", requests: "many", errors: "0" }]);
    await expect(requestCounts(odd, { dataset, tenantIds: ["acme" as TenantId], since: new Date(0) })).rejects.toThrow(
      "request counts of another shape",
    );
  });
});
