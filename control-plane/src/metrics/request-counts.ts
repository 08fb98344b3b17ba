import { z } from "zod";
import type { AnalyticsDataset } from "../../../cloudflare-api/analytics-engine-sql";
import { type RequestCount, TENANT_COLUMN } from "../../../platform/request-metrics";
import type { TenantId } from "../../../platform/routes";
import type { AnalyticsEngine } from "../cloudflare/analytics";
import { dateTime, isError, table, tenantLiteral } from "./sql";

export interface RequestCountsQuery {
  /** The dispatcher's dataset (config's `metricsDataset`). */
  dataset: AnalyticsDataset;
  tenantIds: readonly TenantId[];
  /** From this time (to the second, rounded down)... */
  since: Date;
  /** ...to this one (rounded up); now unless given. */
  until?: Date;
}

/** Tenants per query: the IN list stays short however many tenants a rollout selects. */
const TENANTS_PER_QUERY = 200;

/** A count as the API writes it: UInt64 as a string (ClickHouse's JSON), or a number. */
const Count = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().min(0));
const CountsRow = z.object({ tenant: z.string(), requests: Count, errors: Count });

/** Analytics Engine answered rows that are not counts: its failure, not the caller's. */
export class CountsShapeError extends TypeError {
  constructor() {
    super("Analytics Engine answered request counts of another shape");
  }
}

/**
 * The query for one batch of tenants: requests and errors per tenant, each
 * point weighted by its `_sample_interval` (Analytics Engine samples a busy
 * index's points; the weight is how many requests a point stands for).
 */
export function requestCountsSql(query: RequestCountsQuery, tenantIds: readonly TenantId[]): string {
  return [
    `SELECT ${TENANT_COLUMN} AS tenant,`,
    "  sum(_sample_interval) AS requests,",
    `  sum(if(${isError()}, _sample_interval, 0)) AS errors`,
    `FROM ${table(query.dataset)}`,
    `WHERE ${TENANT_COLUMN} IN (${tenantIds.map(tenantLiteral).join(", ")})`,
    `  AND timestamp >= ${dateTime(query.since, "down")}`,
    `  AND timestamp < ${dateTime(query.until ?? new Date(), "up")}`,
    `GROUP BY ${TENANT_COLUMN}`,
    "FORMAT JSON",
  ].join("\n");
}

/**
 * Each tenant's requests and errors (an outcome other than "ok", or a status
 * of 500 or more) over a time range, from the dispatcher's metering. Every
 * tenant asked for is in the map, with zeros if it had no request.
 */
export async function requestCounts(
  api: { readonly analytics: Pick<AnalyticsEngine, "sql"> },
  query: RequestCountsQuery,
): Promise<Map<TenantId, RequestCount>> {
  const counts = new Map<TenantId, RequestCount>(query.tenantIds.map((id) => [id, { requests: 0, errors: 0 }]));
  const ids = [...counts.keys()];
  for (let start = 0; start < ids.length; start += TENANTS_PER_QUERY) {
    const batch = ids.slice(start, start + TENANTS_PER_QUERY);
    const answer = await api.analytics.sql(requestCountsSql(query, batch));
    for (const raw of answer.data) {
      const parsed = CountsRow.safeParse(raw);
      if (!parsed.success) throw new CountsShapeError();
      const row = parsed.data;
      const id = row.tenant as TenantId;
      if (counts.has(id)) counts.set(id, { requests: row.requests, errors: row.errors });
    }
  }
  return counts;
}
