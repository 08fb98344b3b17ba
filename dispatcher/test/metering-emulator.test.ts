import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type SqlAnswer, SqlAnswer as SqlAnswerSchema } from "../../cloudflare-api/analytics-engine-sql";
import { DEFAULT_METRICS_DATASET, requestColumn } from "../../platform/request-metrics";
import { REQUEST_ID_HEADER } from "../src/tenant-request";
import { scripts, tenant, testEnv } from "./support";

/** The emulator's Analytics Engine SQL API, for the account METRICS writes to (wrangler.local.toml). */
async function query(sql: string): Promise<SqlAnswer> {
  const res = await testEnv.EMULATOR.fetch(
    `http://emulator/client/v4/accounts/${testEnv.TENANTS_ACCOUNT}/analytics_engine/sql`,
    { method: "POST", headers: { authorization: `Bearer ${testEnv.EMULATOR_TOKEN}` }, body: sql },
  );
  if (!res.ok) throw new Error(`SQL API: HTTP ${res.status} ${await res.text()}`);
  return SqlAnswerSchema.parse(await res.json());
}

/** The data point of one request, by its id (a UUID: nothing in it needs escaping). */
const pointOf = async (requestId: string) =>
  (
    await query(
      `SELECT index1 AS tenant, ${requestColumn("outcome")} AS outcome, ${requestColumn("status")} AS status,
         ${requestColumn("bytesIn")} AS bytesIn, ${requestColumn("completion")} AS completion
       FROM ${DEFAULT_METRICS_DATASET} WHERE ${requestColumn("requestId")} = '${requestId}'`,
    )
  ).data;

describe("metering into the emulator (METRICS bound as npm run dev binds it)", () => {
  it("stores each request's point once the request has ended, queryable through the SQL API", async () => {
    const { tenantId, host } = await tenant(scripts.echo);
    // Through the Worker's own fetch handler: the runtime ends the request (and its waitUntil) as it would in npm run dev.
    const res = await exports.default.fetch(`http://${host}/m`, { method: "POST", body: "x".repeat(100) });
    await res.text();
    const requestId = res.headers.get(REQUEST_ID_HEADER) as string;
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    await expect
      .poll(() => pointOf(requestId), { timeout: 10_000 })
      .toEqual([{ tenant: tenantId, outcome: "ok", status: 200, bytesIn: 100, completion: "complete" }]);
  }, 20_000);

  it("stores the points of requests that reached no tenant, indexed by the empty string", async () => {
    const res = await exports.default.fetch("http://nobody-here.localhost/");
    await res.text();
    const requestId = res.headers.get(REQUEST_ID_HEADER) as string;
    await expect
      .poll(() => pointOf(requestId), { timeout: 10_000 })
      .toEqual([{ tenant: "", outcome: "tenant_not_found", status: 404, bytesIn: 0, completion: "complete" }]);
  }, 20_000);
});
