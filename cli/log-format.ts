import type { LogEvent, LogLevel } from "../platform/tenant-logs.ts";

/**
 * How `wfp logs` prints a tenant's events for people: one line for the invocation (its time,
 * the request and its status, the outcome), then one line per console line and per uncaught
 * exception, indented, each with its time; a stack or a message of several lines is indented
 * further. Colours (levels, failures) only where `colour` says: a terminal, and NO_COLOR unset.
 */

export type Colour = boolean;

const paint = (colour: Colour, code: string, text: string) => (colour ? `\x1b[${code}m${text}\x1b[0m` : text);
const red = (colour: Colour, text: string) => paint(colour, "31", text);

const LEVEL_COLOURS: Record<LogLevel, string | null> = {
  error: "31",
  warn: "33",
  info: null,
  log: null,
  debug: "2",
};

/** Whether to colour stdout: a terminal, and no NO_COLOR in the environment (https://no-color.org). */
export function colourFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Colour {
  return stream.isTTY === true && env.NO_COLOR === undefined;
}

/** Continuation lines of a multi-line text, indented under its first. */
const indented = (text: string, indent: string) => text.split("\n").join(`\n${indent}`);

export function formatEvent(event: LogEvent, colour: Colour): string {
  const failed = event.outcome !== "ok";
  const request =
    event.request === undefined
      ? "(no request)"
      : `${event.request.method} ${event.request.url} → ${event.request.status ?? "no status"}`;
  const timing = [
    event.cpuTimeMs === undefined ? null : `cpu ${event.cpuTimeMs} ms`,
    event.wallTimeMs === undefined ? null : `wall ${event.wallTimeMs} ms`,
  ].filter((part) => part !== null);
  const head = `${event.timestamp} ${request} ${failed ? red(colour, event.outcome) : event.outcome}${
    timing.length > 0 ? `  (${timing.join(", ")})` : ""
  }`;
  const lines = [head];
  for (const line of event.logs) {
    const code = LEVEL_COLOURS[line.level];
    const level = line.level.padEnd(5);
    const text = `${level} ${indented(line.message, "        ")}`;
    lines.push(`  ${line.timestamp} ${code === null ? text : paint(colour, code, text)}`);
  }
  for (const exception of event.exceptions) {
    lines.push(`  ${exception.timestamp} ${red(colour, `exception ${exception.name}: ${exception.message}`)}`);
    if (exception.stack !== undefined && exception.stack !== "") {
      const stack = exception.stack.split("\n").filter((line) => line.trim() !== "");
      // V8 repeats "Name: message" as the stack's first line: printed once, above.
      if (stack[0]?.startsWith(`${exception.name}:`)) stack.shift();
      for (const frame of stack) lines.push(`      ${frame.trim()}`);
    }
  }
  if (event.truncated) lines.push("  (cut to the tail's limits: what is shown is the beginning)");
  return lines.join("\n");
}
