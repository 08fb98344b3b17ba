import type { TraceEvent } from "./tenant-logs.ts";

/**
 * The parts of workers-types' `TraceItem` a tenant's log is made from, typed
 * here so that this module needs no Workers globals (the CLI's tests load it in
 * Node too).
 */
export interface TraceItemLike {
  readonly event: unknown;
  readonly eventTimestamp: number | null;
  readonly logs: readonly { readonly timestamp: number; readonly level: string; readonly message: unknown }[];
  readonly exceptions: readonly {
    readonly timestamp: number;
    readonly name: string;
    readonly message: string;
    readonly stack?: string;
  }[];
  readonly scriptName: string | null;
  readonly dispatchNamespace?: string;
  readonly outcome: string;
  readonly cpuTime?: number;
  readonly wallTime?: number;
  readonly truncated?: boolean;
}

/**
 * A fetch event's request and status, if the event is one. Of the request,
 * only its method and URL (the URL as the runtime reports it: Cloudflare may
 * redact parts of it); never its headers, which carry the platform's internal
 * headers and the client's cookies.
 */
function requestOf(event: unknown): TraceEvent["request"] {
  if (event === null || typeof event !== "object" || !("request" in event)) return null;
  const { request, response } = event as {
    request?: { method?: unknown; url?: unknown };
    response?: { status?: unknown };
  };
  if (typeof request?.method !== "string" || typeof request.url !== "string") return null;
  const status = typeof response?.status === "number" ? { status: response.status } : {};
  return { method: request.method, url: request.url, ...status };
}

/**
 * A trace item as plain data (`TraceEvent`), what the tail Worker files: its
 * `tail()` handler converts what Cloudflare delivers, and the emulator what a
 * loaded worker's tail gets, passing `names`: workerd gives a loaded worker's
 * item neither its script's name nor its namespace, nor a CPU time (null then,
 * rather than a 0 that would read as a measurement). Null when the item names
 * no script, which nothing can be filed under.
 */
export function toTraceEvent(
  item: TraceItemLike,
  names?: { scriptName: string; dispatchNamespace: string },
): TraceEvent | null {
  const scriptName = names?.scriptName ?? item.scriptName;
  if (scriptName === null || scriptName === "") return null;
  const measured = names === undefined;
  return {
    scriptName,
    dispatchNamespace: names?.dispatchNamespace ?? item.dispatchNamespace ?? null,
    eventTimestamp: item.eventTimestamp,
    outcome: item.outcome,
    request: requestOf(item.event),
    logs: item.logs.map(({ timestamp, level, message }) => ({ timestamp, level, message })),
    exceptions: item.exceptions.map(({ timestamp, name, message, stack }) => ({
      timestamp,
      name,
      message,
      ...(stack === undefined ? {} : { stack }),
    })),
    cpuTime: measured && typeof item.cpuTime === "number" ? item.cpuTime : null,
    wallTime: typeof item.wallTime === "number" ? item.wallTime : null,
    truncated: item.truncated === true,
  };
}
