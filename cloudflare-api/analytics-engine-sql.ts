import { z } from "zod";

/**
 * Workers Analytics Engine's SQL API (`POST /accounts/{account_id}/analytics_engine/sql`,
 * developers.cloudflare.com/analytics/analytics-engine/sql-api/): the body is the
 * query's text, the answer is not the v4 envelope but ClickHouse's `FORMAT JSON`
 * (`{meta, data, rows}`); an error is answered as text (422 for a query the
 * API refuses). Shared by the emulator, which answers it, and the control plane.
 */

/**
 * A dataset's name as a query names its table: an unquoted SQL identifier.
 * (Analytics Engine takes the binding's `dataset`; the kit only names
 * datasets it can query this way.)
 */
export const ANALYTICS_DATASET = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
export const AnalyticsDataset = z
  .string()
  .regex(ANALYTICS_DATASET, "dataset names are letters, digits and underscores, not starting with a digit")
  .brand<"AnalyticsDataset">();
export type AnalyticsDataset = z.infer<typeof AnalyticsDataset>;

/** One column of an answer: its name and ClickHouse type (`String`, `Float64`, `UInt64`, `DateTime`...). */
export const SqlColumn = z.object({ name: z.string(), type: z.string() });
export type SqlColumn = z.infer<typeof SqlColumn>;

/**
 * A value in a row. ClickHouse writes 64-bit integers (`count()`, a sum of
 * `_sample_interval`) as strings, other numbers as numbers, DateTime as
 * `YYYY-MM-DD hh:mm:ss`.
 */
export const SqlValue = z.union([z.string(), z.number(), z.null()]);
export type SqlValue = z.infer<typeof SqlValue>;

/** The answer of a query with `FORMAT JSON` (the default). */
export const SqlAnswer = z.object({
  meta: z.array(SqlColumn),
  data: z.array(z.record(z.string(), SqlValue)),
  rows: z.number().int().min(0),
  rows_before_limit_at_least: z.number().int().min(0).optional(),
});
export type SqlAnswer = z.infer<typeof SqlAnswer>;
