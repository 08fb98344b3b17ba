import {
  type LogEvent,
  type LoggedException,
  LogLevel,
  type LogLine,
  Outcome,
  type TraceEvent,
} from "../../platform/tenant-logs";

/** At most this many log lines per event are kept: the first ones. */
export const MAX_LOG_LINES = 100;
/** At most this many exceptions per event are kept: the first ones. */
export const MAX_EXCEPTIONS = 20;
/** Each message, stack, exception name and request URL is cut to this many bytes (UTF-8). */
export const MAX_TEXT_BYTES = 4096;

/** A LogEvent before its tenant's object gives it an id. */
export type NewLogEvent = Omit<LogEvent, "id">;

const encoder = new TextEncoder();
const scratch = new Uint8Array(MAX_TEXT_BYTES);

/** `text` cut to MAX_TEXT_BYTES of UTF-8, at a character's boundary. */
export function cut(text: string): { text: string; cut: boolean } {
  // A UTF-16 code unit is at most 3 bytes of UTF-8: short strings fit as they are.
  if (text.length * 3 <= MAX_TEXT_BYTES) return { text, cut: false };
  const { read } = encoder.encodeInto(text, scratch);
  return read >= text.length ? { text, cut: false } : { text: text.slice(0, read), cut: true };
}

/** One value of a console call as text: strings as they are, the rest as JSON (or String() when that fails). */
function textOf(value: unknown): string {
  if (typeof value === "string") return value;
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json;
  } catch {}
  try {
    return String(value);
  } catch {
    return "[unprintable]";
  }
}

/** A console call's arguments as one line, joined with spaces, as the console prints them. */
export function messageText(message: unknown): string {
  return Array.isArray(message) ? message.map(textOf).join(" ") : textOf(message);
}

const iso = (ms: number | null | undefined) => {
  const date = new Date(typeof ms === "number" && Number.isFinite(ms) ? ms : Date.now());
  return Number.isNaN(date.getTime()) ? new Date().toISOString() : date.toISOString();
};

/**
 * A trace event as its tenant sees it: ISO times, no headers, log lines
 * joined, levels and outcomes mapped into the contract's enums ("log" and
 * "unknown" for what they do not know), and everything bounded (the limits
 * above). `truncated` says something was cut, here or by the runtime.
 */
export function logEventOf(trace: TraceEvent): NewLogEvent {
  let truncated =
    trace.truncated === true || trace.logs.length > MAX_LOG_LINES || trace.exceptions.length > MAX_EXCEPTIONS;
  const bounded = (text: string) => {
    const result = cut(text);
    if (result.cut) truncated = true;
    return result.text;
  };
  const logs: LogLine[] = trace.logs.slice(0, MAX_LOG_LINES).map((line) => {
    const level = LogLevel.safeParse(line.level);
    return {
      timestamp: iso(line.timestamp),
      level: level.success ? level.data : "log",
      message: bounded(messageText(line.message)),
    };
  });
  const exceptions: LoggedException[] = trace.exceptions.slice(0, MAX_EXCEPTIONS).map((exception) => ({
    timestamp: iso(exception.timestamp),
    name: bounded(exception.name),
    message: bounded(exception.message),
    ...(exception.stack === undefined ? {} : { stack: bounded(exception.stack) }),
  }));
  const outcome = Outcome.safeParse(trace.outcome);
  const request = trace.request;
  return {
    timestamp: iso(trace.eventTimestamp),
    outcome: outcome.success ? outcome.data : "unknown",
    // Method, URL and status only: never headers.
    ...(request === null
      ? {}
      : {
          request: {
            method: bounded(request.method),
            url: bounded(request.url),
            ...(request.status === undefined ? {} : { status: request.status }),
          },
        }),
    logs,
    exceptions,
    ...(trace.cpuTime === null ? {} : { cpuTimeMs: trace.cpuTime }),
    ...(trace.wallTime === null ? {} : { wallTimeMs: trace.wallTime }),
    truncated,
  };
}
