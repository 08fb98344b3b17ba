import { LogPage, type LogQuery } from "../../../platform/tenant-logs";

/**
 * The control plane's side of the tail Worker's internal API (`wfp-tail`, tail/), reached through
 * the LOGS service binding and never by anyone else. It keeps each tenant's log events under the
 * tenant's script name:
 *
 * - `GET /tenants/{script}/logs?limit=&before=&outcome=` → 200 `LogPage`
 * - `GET /tenants/{script}/logs/live` with `Upgrade: websocket` → 101, one `LogEvent` JSON per text frame
 * - `DELETE /tenants/{script}/logs` → 204, whether it had any or not
 *
 * The control plane asks only for the script of the tenant the URL names, once it knows the
 * tenant exists, and sends none of the operator's headers on.
 */

/** The tail Worker failed, could not be reached, or answered outside its contract. */
export class LogsUnavailable extends Error {
  readonly code = "logs_unavailable";
}

const logsUrl = (script: string, suffix = "") => `https://tail/tenants/${encodeURIComponent(script)}/logs${suffix}`;

async function call(logs: Fetcher, request: Request, what: string): Promise<Response> {
  try {
    return await logs.fetch(request);
  } catch (error) {
    // The binding's own failure (not connected, the tail Worker threw): its text stays in our logs.
    console.error(`wfp-tail: ${what} failed:`, error instanceof Error ? `${error.name}: ${error.message}` : error);
    throw new LogsUnavailable(`the logs service could not be reached (${what})`);
  }
}

/** A page of the script's events, newest first, as the tail Worker answers it; checked against `LogPage`. */
export async function readLogPage(logs: Fetcher, script: string, query: LogQuery): Promise<LogPage> {
  const params = new URLSearchParams({ limit: String(query.limit) });
  if (query.before !== undefined) params.set("before", String(query.before));
  if (query.outcome !== undefined) params.set("outcome", query.outcome);
  const response = await call(logs, new Request(logsUrl(script, `?${params}`)), "reading a page");
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new LogsUnavailable(`the logs service answered HTTP ${response.status} for a page of logs`);
  }
  let json: unknown;
  try {
    json = await response.json();
  } catch {
    throw new LogsUnavailable("the logs service answered a page of logs that is not JSON");
  }
  const page = LogPage.safeParse(json);
  if (!page.success) {
    const issue = page.error.issues[0];
    const where = issue === undefined ? "" : `: ${issue.path.join(".") || "(body)"}: ${issue.message}`;
    throw new LogsUnavailable(`the logs service answered a page of logs outside its contract${where}`);
  }
  return page.data;
}

/** The tail Worker's live stream of the script's events: its 101 answer, WebSocket and all. */
export async function openLiveLogs(logs: Fetcher, script: string): Promise<Response> {
  const response = await call(
    logs,
    new Request(logsUrl(script, "/live"), { headers: { upgrade: "websocket" } }),
    "opening the live logs",
  );
  if (response.status !== 101 || response.webSocket === null) {
    await response.body?.cancel();
    throw new LogsUnavailable(`the logs service answered HTTP ${response.status} instead of a WebSocket`);
  }
  return response;
}

/** Removes every event of the script; done whether there were any or not (the tail answers 204 either way). */
export async function deleteLogs(logs: Fetcher, script: string): Promise<void> {
  const response = await call(logs, new Request(logsUrl(script), { method: "DELETE" }), "deleting logs");
  await response.body?.cancel();
  if (response.status !== 204 && response.status !== 200) {
    throw new LogsUnavailable(`the logs service answered HTTP ${response.status} to deleting the tenant's logs`);
  }
}
