import type { LogEvent } from "../../../../platform/tenant-logs";

/**
 * One of a tenant's log events as the console prints it: a line for the invocation, then one
 * per console line and exception, indented. The page and the live stream print them alike.
 */
export function logEventText(event: LogEvent): string {
  const request = event.request === undefined ? "" : ` ${event.request.method} ${event.request.url}`;
  const status = event.request?.status === undefined ? "" : ` ${event.request.status}`;
  const lines = [`${event.timestamp} ${event.outcome}${request}${status}${event.truncated ? " (truncated)" : ""}`];
  for (const line of event.logs) lines.push(`  ${line.level.padEnd(5)} ${line.message}`);
  for (const exception of event.exceptions) lines.push(`  ${exception.name}: ${exception.message}`);
  return lines.join("\n");
}
