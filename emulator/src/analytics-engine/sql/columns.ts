import { ANALYTICS_LIMITS } from "../limits";
import type { SqlType } from "./types";

/**
 * The dataset's table as the SQL API shows it, over the store's `points` rows
 * (alias `p`): each column is SQL the emulator wrote, never text of the query.
 * A blob or double the point did not have is "" or 0, as in production.
 */
const FIXED: Record<string, { sql: string; type: SqlType }> = {
  dataset: { sql: "p.dataset", type: "String" },
  // DateTime is to the second; the store keeps milliseconds.
  timestamp: { sql: "(p.timestamp / 1000)", type: "DateTime" },
  // The emulator never samples: each point stands for itself.
  _sample_interval: { sql: "1", type: "UInt32" },
  index1: { sql: "coalesce(json_extract(p.indexes, '$[0]'), '')", type: "String" },
};

/** The table's column of that name, or null. Names are case-sensitive, as ClickHouse's are. */
export function column(name: string): { sql: string; type: SqlType } | null {
  if (Object.hasOwn(FIXED, name)) return FIXED[name] as { sql: string; type: SqlType };
  const match = /^(blob|double)([1-9]\d?)$/.exec(name);
  const n = Number(match?.[2]);
  if (match === null || n > (match[1] === "blob" ? ANALYTICS_LIMITS.blobs : ANALYTICS_LIMITS.doubles)) return null;
  return match[1] === "blob"
    ? { sql: `coalesce(json_extract(p.blobs, '$[${n - 1}]'), '')`, type: "String" }
    : { sql: `CAST(coalesce(json_extract(p.doubles, '$[${n - 1}]'), 0) AS REAL)`, type: "Float64" };
}

/** `SELECT *`'s columns, in the order of the SQL API's table. */
export const ALL_COLUMNS: readonly string[] = [
  "dataset",
  "timestamp",
  "_sample_interval",
  "index1",
  ...Array.from({ length: ANALYTICS_LIMITS.blobs }, (_, i) => `blob${i + 1}`),
  ...Array.from({ length: ANALYTICS_LIMITS.doubles }, (_, i) => `double${i + 1}`),
];
