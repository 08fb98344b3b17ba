import { z } from "zod";
import type { AnalyticsDataset } from "../../../cloudflare-api/analytics-engine-sql";
import { requestColumn, TENANT_COLUMN } from "../../../platform/request-metrics";
import type { TenantId } from "../../../platform/routes";
import {
  bucketStarts,
  emptyBucket,
  STATUS_CLASSES,
  type StatusClass,
  type TenantTraffic,
  type TrafficBucket,
  type TrafficWindow,
} from "../../../platform/tenant-traffic";
import type { AnalyticsEngine } from "../cloudflare/analytics";
import { dateTime, isError, table, tenantLiteral } from "./sql";

export interface TrafficQuery {
  /** The dispatcher's dataset (config's `metricsDataset`). */
  dataset: AnalyticsDataset;
  tenantId: TenantId;
  window: TrafficWindow;
}

/** Analytics Engine answered rows that are not a tenant's traffic: its failure, not the caller's. */
export class TrafficShapeError extends TypeError {
  constructor() {
    super("Analytics Engine answered a tenant's traffic in another shape");
  }
}

/** The column of each status class's count: `status_2xx`. */
const statusColumn = (statusClass: StatusClass) => `status_${statusClass}`;
/** The latency quantiles read, by the name the answer has them under. */
const LATENCY_QUANTILES = { p50: 0.5, p95: 0.95 } as const;

/**
 * One row per bucket that had requests: its start (epoch seconds), the requests, their status
 * classes, errors and latency quantiles, every count weighted by `_sample_interval` (what a point
 * stands for once Analytics Engine samples) and the quantiles too (quantileExactWeighted: a point
 * counts as many requests as it stands for). Buckets are `toStartOfInterval`'s, which with a step
 * that divides a day are whole multiples of the step since the epoch, as `bucketStarts` has them.
 */
export function trafficSql(query: TrafficQuery): string {
  const status = requestColumn("status");
  const latency = requestColumn("latencyMs");
  const { from, until, step } = query.window;
  if (!Number.isSafeInteger(step) || step <= 0) throw new RangeError("not a step in seconds");
  const classes = STATUS_CLASSES.map((statusClass) => {
    const low = Number(statusClass[0]) * 100;
    return `  sum(if(${status} >= ${low} AND ${status} < ${low + 100}, _sample_interval, 0)) AS ${statusColumn(statusClass)},`;
  });
  const quantiles = Object.entries(LATENCY_QUANTILES).map(
    ([name, level]) => `quantileExactWeighted(${level})(${latency}, _sample_interval) AS ${name}`,
  );
  return [
    `SELECT toUnixTimestamp(toStartOfInterval(timestamp, INTERVAL '${step}' SECOND)) AS bucket,`,
    "  sum(_sample_interval) AS requests,",
    ...classes,
    `  sum(if(${isError()}, _sample_interval, 0)) AS errors,`,
    `  ${quantiles.join(",\n  ")}`,
    `FROM ${table(query.dataset)}`,
    `WHERE ${TENANT_COLUMN} = ${tenantLiteral(query.tenantId)}`,
    `  AND timestamp >= ${dateTime(from, "down")}`,
    `  AND timestamp < ${dateTime(until, "up")}`,
    "GROUP BY bucket",
    "ORDER BY bucket",
    "FORMAT JSON",
  ].join("\n");
}

/** A count as the API writes it: UInt64 as a string (ClickHouse's JSON), or a number. */
const Count = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().min(0));
/** A quantile: Float64, a number (null or NaN, written as a string, when nothing was weighed). */
const Quantile = z
  .union([z.number().min(0), z.string(), z.null()])
  .transform((v) => (typeof v === "number" ? v : null));
const TrafficRow = z.object({
  bucket: z.number().int().min(0),
  requests: Count,
  errors: Count,
  ...Object.fromEntries(STATUS_CLASSES.map((statusClass) => [statusColumn(statusClass), Count])),
  p50: Quantile,
  p95: Quantile,
});

/** A row of the answer as the API's bucket. */
function toBucket(raw: unknown): TrafficBucket & { seconds: number } {
  const parsed = TrafficRow.safeParse(raw);
  if (!parsed.success) throw new TrafficShapeError();
  const row = parsed.data as z.infer<typeof TrafficRow> & Record<string, number>;
  const statuses = Object.fromEntries(
    STATUS_CLASSES.map((statusClass) => [statusClass, row[statusColumn(statusClass)] ?? 0]),
  ) as Record<StatusClass, number>;
  return {
    ...emptyBucket(row.bucket),
    seconds: row.bucket,
    requests: row.requests,
    statuses,
    errors: row.errors,
    latencyMs: { p50: row.p50, p95: row.p95 },
  };
}

/**
 * A tenant's traffic over a window, one bucket per step from its start to its end, buckets
 * without requests included (zeros, no latency): a continuous series, as a chart draws it.
 */
export async function tenantTraffic(
  api: { readonly analytics: Pick<AnalyticsEngine, "sql"> },
  query: TrafficQuery,
): Promise<TenantTraffic> {
  const answer = await api.analytics.sql(trafficSql(query));
  const seen = new Map<number, TrafficBucket>();
  for (const raw of answer.data) {
    const { seconds, ...bucket } = toBucket(raw);
    seen.set(seconds, bucket);
  }
  return {
    tenantId: query.tenantId,
    from: query.window.from.toISOString(),
    until: query.window.until.toISOString(),
    step: query.window.step,
    buckets: bucketStarts(query.window).map((start) => seen.get(start) ?? emptyBucket(start)),
  };
}
