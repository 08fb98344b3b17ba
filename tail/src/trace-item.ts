import type { TraceEvent } from "../../platform/tenant-logs";

/**
 * A runtime TraceItem as a TraceEvent (platform/tenant-logs.ts): the parts the
 * tail files, as plain data. Of the request, only its method and URL (the URL
 * as the runtime reports it: Cloudflare may redact parts of it); never its
 * headers, which carry the platform's internal headers and the client's
 * cookies. Null when the item names no script, which nothing can be filed under.
 */
export function traceEventOf(item: TraceItem): TraceEvent | null {
  if (!item.scriptName) return null;
  return {
    scriptName: item.scriptName,
    dispatchNamespace: item.dispatchNamespace ?? null,
    eventTimestamp: item.eventTimestamp ?? null,
    outcome: item.outcome,
    request: requestOf(item.event),
    logs: (item.logs ?? []).map(({ timestamp, level, message }) => ({ timestamp, level, message })),
    exceptions: (item.exceptions ?? []).map(({ timestamp, name, message, stack }) => ({
      timestamp,
      name,
      message,
      ...(stack === undefined ? {} : { stack }),
    })),
    cpuTime: typeof item.cpuTime === "number" ? item.cpuTime : null,
    wallTime: typeof item.wallTime === "number" ? item.wallTime : null,
    truncated: item.truncated === true,
  };
}

function requestOf(event: TraceItem["event"]): TraceEvent["request"] {
  if (event === null || !("request" in event)) return null;
  const { method, url } = event.request;
  const status = event.response?.status;
  return { method, url, ...(status === undefined ? {} : { status }) };
}
