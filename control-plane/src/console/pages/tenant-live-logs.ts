import { type Context, Hono } from "hono";
import { LogEvent, LogPage } from "../../../../platform/tenant-logs";
import type { ConsoleEnv } from "../types";
import { logEventText } from "./tenant-log-lines";

/** A comment line this often: a browser that left is noticed (the write fails), and proxies see a live stream. */
const KEEPALIVE_MS = 25_000;

/** The most events a stream catches up with when it starts: those logged since the page (or the last event) it follows. */
export const CATCH_UP_LIMIT = 100;

/** The query parameter naming the last event the page shows (`none`: it showed none): the stream starts after it. */
export const AFTER_PARAM = "after";
export const AFTER_NONE = "none";

const encoder = new TextEncoder();

/** One Server-Sent Event: the event's text (each line a `data:` line), with its id for a reconnect's `Last-Event-ID`. */
const sseEvent = (event: LogEvent) =>
  encoder.encode(
    `id: ${event.id}\n${logEventText(event)
      .split("\n")
      .map((line) => `data: ${line}`)
      .join("\n")}\n\n`,
  );

/**
 * The id of the event the browser has seen last: a reconnect's `Last-Event-ID`, else the page's
 * `?after=`; -1 when it saw none. Null when it names none: only live events are sent.
 */
function lastSeen(c: Context<ConsoleEnv>): number | null {
  for (const given of [c.req.header("last-event-id"), c.req.query(AFTER_PARAM)]) {
    if (given !== undefined && /^[0-9]{1,15}$/.test(given)) return Number(given);
  }
  return c.req.query(AFTER_PARAM) === AFTER_NONE ? -1 : null;
}

/**
 * A tenant's live logs for the browser: /v1's WebSocket needs the operators' token, which the
 * browser never has, so the console (its session checked like every page's) opens it in process
 * and re-serves each event as a Server-Sent Event, printed as the page prints it. Opened first,
 * then the events since the one the browser saw last are read and sent (at most CATCH_UP_LIMIT),
 * then the live ones after them: nothing logged between the page's read and the stream is lost,
 * nothing is sent twice, and a reconnect takes up where it left off.
 */
export const tenantLiveLogs = new Hono<ConsoleEnv>().get("/tenants/:id/logs/live", async (c) => {
  const id = c.req.param("id");
  const api = c.get("api");
  const v1 = `/v1/tenants/${encodeURIComponent(id)}/logs`;
  const opened = await api.webSocket(`${v1}/live`);
  if (!opened.ok) {
    const status = opened.error.status === 404 ? 404 : 502;
    return c.text(status === 404 ? `no tenant "${id}"` : "the live logs are not available now", status);
  }
  const socket = opened.value;
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  let open = true;
  const seen = lastSeen(c);
  let sentUpTo = seen ?? -1;
  const stop = () => {
    if (!open) return;
    open = false;
    clearInterval(keepalive);
    try {
      socket.close(1000, "the browser left");
    } catch {
      // Closed already: the logs service ended it.
    }
    writer.close().catch(() => {});
  };
  const write = (bytes: Uint8Array) => {
    if (open) writer.write(bytes).catch(stop);
  };
  const send = (event: LogEvent) => {
    if (event.id <= sentUpTo) return;
    sentUpTo = event.id;
    write(sseEvent(event));
  };
  const keepalive = setInterval(() => write(encoder.encode(": still here\n\n")), KEEPALIVE_MS);

  // Live events wait behind the catch-up, in order.
  let queue = catchUp();
  socket.accept();
  socket.addEventListener("message", (message) => {
    const event = typeof message.data === "string" ? parsed(message.data) : null;
    if (event !== null) queue = queue.then(() => send(event));
  });
  socket.addEventListener("close", stop);
  socket.addEventListener("error", stop);
  // The first bytes now: the browser knows the stream is open (and retries after 3 s if it drops).
  write(encoder.encode("retry: 3000\n: following\n\n"));
  return c.body(readable, 200, { "Content-Type": "text/event-stream; charset=utf-8", "X-Accel-Buffering": "no" });

  /** The events after the one the browser saw last, oldest first; none to catch up with when it saw none. */
  async function catchUp(): Promise<void> {
    if (seen === null) return;
    const page = await api.get(`${v1}?limit=${CATCH_UP_LIMIT}`, LogPage);
    if (!page.ok) return;
    for (const event of [...page.value.events].reverse()) send(event);
  }
});

function parsed(text: string): LogEvent | null {
  try {
    const event = LogEvent.safeParse(JSON.parse(text));
    return event.success ? event.data : null;
  } catch {
    return null;
  }
}
