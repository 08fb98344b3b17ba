import type { LogEvent, LogPage } from "../../platform/tenant-logs.ts";
import { Outcome } from "../../platform/tenant-logs.ts";
import { api } from "../api.ts";
import { type Command, type Context, stringOf, type Values } from "../command.ts";
import { CliError, EXIT, usageError } from "../errors.ts";
import { type LiveLogs, openLiveLogs } from "../live-logs.ts";
import { colourFor, formatEvent } from "../log-format.ts";

/** How many recent events `--follow` prints before the live ones, unless --limit says. */
const FOLLOW_HISTORY = 10;

const logs: Command = {
  name: "logs",
  args: ["<tenant>"],
  options: {
    limit: { type: "string" },
    before: { type: "string" },
    outcome: { type: "string" },
    follow: { type: "boolean", short: "f" },
  },
  help: `  The tenant's Worker invocations: the request, its outcome, console lines and exceptions,
  oldest first (the page is the newest --limit events). With --json: the API's LogPage, newest first.
  --limit <n>              how many events (1-1000; default 100, or ${FOLLOW_HISTORY} before --follow's live ones)
  --before <id>            older than this event id: the page's "next", for the page before
  --outcome <outcome>      only these: ${Outcome.options.join(", ")}
  -f, --follow             then print events as they happen, until Ctrl-C (--json: one event per line)`,
  async run(context, values, [tenant]) {
    const id = tenant as string;
    const query = queryOf(values);
    if (values.follow === true) return follow(context, id, query);
    const page = await api.getLogs(context.connection, id, query);
    const colour = colourFor(process.stdout);
    context.out.result(page, () => humanPage(page, colour));
    if (page.next !== null) context.out.note(`older events: wfp logs ${id} --before ${page.next}`);
  },
};

type Query = { limit?: string; before?: string; outcome?: string };

function queryOf(values: Values): Query {
  const limit = stringOf(values, "limit");
  if (limit !== undefined && !/^\d+$/.test(limit)) throw usageError(`--limit must be a whole number, got "${limit}"`);
  const before = stringOf(values, "before");
  if (before !== undefined && !/^\d+$/.test(before)) throw usageError(`--before must be an event id, got "${before}"`);
  if (before !== undefined && values.follow === true) throw usageError("--before and --follow do not go together");
  const outcome = stringOf(values, "outcome");
  if (outcome !== undefined && !Outcome.safeParse(outcome).success) {
    throw usageError(`--outcome must be one of ${Outcome.options.join(", ")}, got "${outcome}"`);
  }
  return { limit, before, outcome };
}

/** Oldest first, as a terminal reads them. */
function humanPage(page: LogPage, colour: boolean): string {
  if (page.events.length === 0) return "no events";
  return [...page.events]
    .reverse()
    .map((event) => formatEvent(event, colour))
    .join("\n");
}

/**
 * The recent events, then the live ones until Ctrl-C (exit 0) or until the control plane closes
 * the socket (exit 3, saying so). The socket is opened first and the page read once it is open,
 * so no event falls between the two; one in both is printed once.
 */
async function follow(context: Context, id: string, query: Query): Promise<void> {
  const { connection, out } = context;
  let live: LiveLogs;
  try {
    live = await openLiveLogs(connection, id);
  } catch (error) {
    // The WebSocket does not say why it was refused: the API does (no such tenant, the token).
    await api.getLogs(connection, id, { limit: "1" });
    throw error;
  }
  const colour = colourFor(process.stdout);
  const print = (event: LogEvent) =>
    process.stdout.write(out.json ? `${JSON.stringify(event)}\n` : `${formatEvent(event, colour)}\n`);

  let page: LogPage;
  try {
    page = await api.getLogs(connection, id, { ...query, limit: query.limit ?? String(FOLLOW_HISTORY) });
  } catch (error) {
    live.close();
    throw error;
  }
  const history = [...page.events].reverse();
  for (const event of history) print(event);
  let last = history.at(-1)?.id ?? -1;
  out.note(`following the logs of ${id} (Ctrl-C to stop)`);
  live.onEvent((event) => {
    if (event.id <= last) return;
    last = event.id;
    if (query.outcome === undefined || event.outcome === query.outcome) print(event);
  });

  const interrupted = new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
  const ended = await Promise.race([interrupted.then(() => "interrupted" as const), live.ended]);
  if (ended === "interrupted") {
    live.close();
    // Ctrl-C is the way out: a control plane slow to answer the close does not hold it up.
    setTimeout(() => process.exit(), 2000).unref();
    return;
  }
  // `ended` resolves only when we closed the socket, which only an interruption does.
  throw new CliError(EXIT.unreachable, "live_closed", `the live logs of "${id}" ended`);
}

export const logCommands: readonly Command[] = [logs];
