import { z } from "zod";

/**
 * The dispatcher's metering (dispatcher/src/metering.ts): one Analytics Engine
 * data point per request in the dataset `DEFAULT_METRICS_DATASET`, index = the
 * tenant id ("" for a request that reached none). The order of these names is
 * the order of the point's blobs and doubles, so the column a query reads
 * (`blob4`, `double1`) comes from the same list the dispatcher writes with.
 */
export const REQUEST_BLOBS = [
  "tenantId",
  "scriptName",
  "plan",
  /** "ok", or the dispatcher's error code. */
  "outcome",
  "method",
  "hostname",
  "requestId",
  /** "complete" | "aborted": whether the response body was sent to its end. */
  "completion",
] as const;
export const REQUEST_DOUBLES = ["status", "latencyMs", "bytesIn", "bytesOut", "durationMs"] as const;

export type RequestBlob = (typeof REQUEST_BLOBS)[number];
export type RequestDouble = (typeof REQUEST_DOUBLES)[number];

/** The outcome of a request the tenant's Worker answered (its own 5xx included: its status says the rest). */
export const OK_OUTCOME = "ok";

/** The dataset the dispatcher writes to unless configured otherwise (its METRICS binding, the control plane's METRICS_DATASET). */
export const DEFAULT_METRICS_DATASET = "wfp_requests";

/** A field's column in the SQL API's table: `blob1`..`blob20`, `double1`..`double20`. */
export function requestColumn(field: RequestBlob | RequestDouble): string {
  const blob = (REQUEST_BLOBS as readonly string[]).indexOf(field);
  if (blob >= 0) return `blob${blob + 1}`;
  return `double${(REQUEST_DOUBLES as readonly string[]).indexOf(field) + 1}`;
}

/** The tenant id's column: the point's index, Analytics Engine's sampling key. */
export const TENANT_COLUMN = "index1";

/** A request's counts over a time range, each weighted by its sample interval. */
export const RequestCount = z.object({
  requests: z.number().int().min(0),
  /** Answered with an outcome other than "ok" (the dispatcher's errors) or a status of 500 or more. */
  errors: z.number().int().min(0),
});
export type RequestCount = z.infer<typeof RequestCount>;
