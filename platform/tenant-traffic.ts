import { z } from "zod";

/**
 * A tenant's traffic over time, from the dispatcher's metering (request-metrics.ts): what
 * `GET /v1/tenants/{id}/traffic` answers and the console's charts draw. Counts are weighted by
 * Analytics Engine's `_sample_interval` (an estimate once it samples); time is in UTC, buckets
 * are whole multiples of `step` since the epoch, and a bucket without requests is there with zeros.
 */

/** Status classes, by the status the client got (1xx: WebSocket upgrades). */
export const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx"] as const;
export type StatusClass = (typeof STATUS_CLASSES)[number];

/**
 * At most this many steps in one window (a day in minutes), and so at most one more bucket in an
 * answer: a larger `step` or a shorter window otherwise.
 */
export const MAX_TRAFFIC_BUCKETS = 1440;
/** A bucket is at least a minute and at most a day, and divides a day, so buckets line up with days, hours and minutes. */
export const MIN_TRAFFIC_STEP = 60;
export const MAX_TRAFFIC_STEP = 86_400;
/** The `step` the API takes when none is given: the smallest of these giving at most DEFAULT_BUCKETS buckets. */
const DEFAULT_STEPS = [60, 300, 900, 3600, 21_600, 86_400] as const;
const DEFAULT_BUCKETS = 96;

const DURATION = /^([1-9][0-9]{0,4})(m|h|d)$/;
const UNIT_SECONDS = { m: 60, h: 3600, d: 86_400 } as const;

/** `since`: a duration before `until` (`30m`, `1h`, `7d`) or a time (ISO 8601). */
export const TrafficSince = z.union([
  z.string().regex(DURATION, "a duration (30m, 1h, 7d) or an ISO 8601 time"),
  z.iso.datetime({ offset: true }),
]);

export const TrafficQuery = z.strictObject({
  since: TrafficSince.default("1h"),
  /** The end of the window (ISO 8601); now unless given. */
  until: z.iso.datetime({ offset: true }).optional(),
  /** Seconds per bucket; by default the smallest of 1, 5, 15 minutes, 1, 6, 24 hours that gives at most 96 buckets. */
  step: z.coerce
    .number()
    .int()
    .min(MIN_TRAFFIC_STEP)
    .max(MAX_TRAFFIC_STEP)
    .refine((step) => MAX_TRAFFIC_STEP % step === 0, "divides a day (86400): 60, 300, 900, 3600…")
    .optional(),
});
export type TrafficQuery = z.infer<typeof TrafficQuery>;

/** The window a query asks for: `from` is `since` rounded down to its bucket, `until` rounded up to the second. */
export type TrafficWindow = { from: Date; until: Date; step: number };

/** A query's window, or the field that makes it one the API does not answer, and why. */
export type TrafficWindowResult =
  | { ok: true; window: TrafficWindow }
  | { ok: false; field: keyof TrafficQuery; message: string };

/** Resolves a query against the time it is answered at (epoch ms): the buckets' window, bounded. */
export function resolveTrafficWindow(query: TrafficQuery, nowMs: number): TrafficWindowResult {
  const untilSeconds = Math.ceil((query.until === undefined ? nowMs : Date.parse(query.until)) / 1000);
  const duration = DURATION.exec(query.since);
  const sinceSeconds =
    duration === null
      ? Math.floor(Date.parse(query.since) / 1000)
      : untilSeconds - Number(duration[1]) * UNIT_SECONDS[duration[2] as keyof typeof UNIT_SECONDS];
  if (sinceSeconds >= untilSeconds) return { ok: false, field: "since", message: "is not before until" };
  if (sinceSeconds < 0) return { ok: false, field: "since", message: "is before 1970" };
  const span = untilSeconds - sinceSeconds;
  const step = query.step ?? DEFAULT_STEPS.find((s) => span / s <= DEFAULT_BUCKETS) ?? MAX_TRAFFIC_STEP;
  // Counted over the window as asked: the bucket `since` falls in may add one (a day in minutes is 1441 buckets).
  const steps = Math.ceil(span / step);
  if (steps > MAX_TRAFFIC_BUCKETS) {
    return {
      ok: false,
      field: query.step === undefined ? "since" : "step",
      message: `${steps} buckets of ${step} s; at most ${MAX_TRAFFIC_BUCKETS}: a larger step or a shorter window`,
    };
  }
  const from = Math.floor(sinceSeconds / step) * step;
  return { ok: true, window: { from: new Date(from * 1000), until: new Date(untilSeconds * 1000), step } };
}

/** The start of every bucket of a window, in order (epoch seconds). */
export function bucketStarts(window: TrafficWindow): number[] {
  const from = window.from.getTime() / 1000;
  const until = window.until.getTime() / 1000;
  const starts: number[] = [];
  for (let start = from; start < until; start += window.step) starts.push(start);
  return starts;
}

const Count = z.number().int().min(0);
/** Milliseconds, or null for a bucket without requests. */
const Millis = z.number().min(0).nullable();

export const TrafficBucket = z.object({
  /** The bucket's first second (ISO 8601, UTC); it ends where the next begins. */
  start: z.iso.datetime(),
  requests: Count,
  /** Requests by the status the client got. */
  statuses: z.object(Object.fromEntries(STATUS_CLASSES.map((c) => [c, Count])) as Record<StatusClass, typeof Count>),
  /** Requests that failed: a dispatcher error (its outcome is not `ok`) or a status of 500 or more. */
  errors: Count,
  /** Time to the response's headers at the dispatcher, weighted by sample interval. */
  latencyMs: z.object({ p50: Millis, p95: Millis }),
});
export type TrafficBucket = z.infer<typeof TrafficBucket>;

export const TenantTraffic = z.object({
  tenantId: z.string(),
  from: z.iso.datetime(),
  until: z.iso.datetime(),
  /** Seconds per bucket. */
  step: z.number().int().min(MIN_TRAFFIC_STEP),
  /** Every bucket from `from` to `until`, oldest first (the last may still be filling). */
  buckets: z.array(TrafficBucket),
});
export type TenantTraffic = z.infer<typeof TenantTraffic>;

/** An empty bucket (no request in it). */
export function emptyBucket(startSeconds: number): TrafficBucket {
  return {
    start: new Date(startSeconds * 1000).toISOString(),
    requests: 0,
    statuses: Object.fromEntries(STATUS_CLASSES.map((c) => [c, 0])) as Record<StatusClass, number>,
    errors: 0,
    latencyMs: { p50: null, p95: null },
  };
}
