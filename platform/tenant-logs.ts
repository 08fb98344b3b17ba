import { z } from "zod";

/**
 * Tenants' logs: what the tail Worker (tail/) files for each tenant, what the
 * control plane's `GET /v1/tenants/{id}/logs` answers and `wfp logs` prints,
 * and how the emulator hands a loaded script's trace events to the tail Worker
 * locally. Events are filed under the tenant's script name (the tenant id).
 */

export const LogLevel = z.enum(["debug", "info", "log", "warn", "error"]);
export type LogLevel = z.infer<typeof LogLevel>;

/** Outcomes as workers-types' TraceItem names them. */
export const Outcome = z.enum([
  "ok",
  "exception",
  "exceededCpu",
  "exceededMemory",
  "scriptNotFound",
  "canceled",
  "responseStreamDisconnected",
  "unknown",
]);
export type Outcome = z.infer<typeof Outcome>;

export const LogLine = z.object({ timestamp: z.iso.datetime(), level: LogLevel, message: z.string() });
export type LogLine = z.infer<typeof LogLine>;

export const LoggedException = z.object({
  timestamp: z.iso.datetime(),
  name: z.string(),
  message: z.string(),
  stack: z.string().optional(),
});
export type LoggedException = z.infer<typeof LoggedException>;

/** One invocation of a tenant's Worker, as its owner sees it: no headers, no other tenant's data. */
export const LogEvent = z.object({
  /** Ordered per tenant: `before` pages by it. */
  id: z.number().int().nonnegative(),
  timestamp: z.iso.datetime(),
  outcome: Outcome,
  request: z.object({ method: z.string(), url: z.string(), status: z.number().int().optional() }).optional(),
  logs: z.array(LogLine),
  exceptions: z.array(LoggedException),
  cpuTimeMs: z.number().nonnegative().optional(),
  wallTimeMs: z.number().nonnegative().optional(),
  /** Lines, exceptions or text were cut to the limits (tail/README.md): what is here is a prefix. */
  truncated: z.boolean(),
});
export type LogEvent = z.infer<typeof LogEvent>;

/** A page of a tenant's events, newest first; `next` is the `before` of the next page, null at the end. */
export const LogPage = z.object({ events: z.array(LogEvent), next: z.number().int().nullable() });
export type LogPage = z.infer<typeof LogPage>;

export const LogQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  /** Only events with a smaller id. */
  before: z.coerce.number().int().min(1).optional(),
  outcome: Outcome.optional(),
});
export type LogQuery = z.infer<typeof LogQuery>;

/**
 * A trace event as the emulator hands it to the tail Worker (its `TraceIngest`
 * entrypoint), locally: the parts of workers-types' `TraceItem` the tail files,
 * as plain data, with the script's name and namespace filled in (workerd leaves
 * them empty for a loaded worker). In production the tail Worker's `tail()`
 * handler gets TraceItems and reads the same parts.
 */
export const TraceEvent = z.object({
  scriptName: z.string().min(1),
  dispatchNamespace: z.string().nullable(),
  eventTimestamp: z.number().nullable(),
  outcome: z.string(),
  request: z.object({ method: z.string(), url: z.string(), status: z.number().int().optional() }).nullable(),
  logs: z.array(z.object({ timestamp: z.number(), level: z.string(), message: z.unknown() })),
  exceptions: z.array(
    z.object({ timestamp: z.number(), name: z.string(), message: z.string(), stack: z.string().optional() }),
  ),
  cpuTime: z.number().nonnegative().nullable(),
  wallTime: z.number().nonnegative().nullable(),
  /** The runtime cut this event's logs or exceptions (TraceItem's own `truncated`); absent is false. */
  truncated: z.boolean().optional(),
});
export type TraceEvent = z.infer<typeof TraceEvent>;
