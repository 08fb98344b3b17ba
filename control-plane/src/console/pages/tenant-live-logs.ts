import { Hono } from "hono";
import { LogEvent } from "../../../../platform/tenant-logs";
import type { ConsoleEnv } from "../types";
import { logEventText } from "./tenant-log-lines";

/** A comment line this often: a browser that left is noticed (the write fails), and proxies see a live stream. */
const KEEPALIVE_MS = 25_000;

const encoder = new TextEncoder();

/** One Server-Sent Event whose data is `text` (each of its lines a `data:` line). */
const sseEvent = (text: string) =>
  encoder.encode(
    `${text
      .split("\n")
      .map((line) => `data: ${line}`)
      .join("\n")}\n\n`,
  );

/**
 * A tenant's live logs for the browser: /v1's WebSocket needs the operators' token, which the
 * browser never has, so the console (its session checked like every page's) opens it in process
 * and re-serves each event as a Server-Sent Event, printed as the page prints it.
 */
export const tenantLiveLogs = new Hono<ConsoleEnv>().get("/tenants/:id/logs/live", async (c) => {
  const id = c.req.param("id");
  const opened = await c.get("api").webSocket(`/v1/tenants/${encodeURIComponent(id)}/logs/live`);
  if (!opened.ok) {
    const status = opened.error.status === 404 ? 404 : 502;
    return c.text(status === 404 ? `no tenant "${id}"` : "the live logs are not available now", status);
  }
  const socket = opened.value;
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  const writer = writable.getWriter();
  let open = true;
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
  const send = (bytes: Uint8Array) => {
    if (open) writer.write(bytes).catch(stop);
  };
  const keepalive = setInterval(() => send(encoder.encode(": still here\n\n")), KEEPALIVE_MS);
  socket.accept();
  socket.addEventListener("message", (message) => {
    if (typeof message.data !== "string") return;
    let json: unknown;
    try {
      json = JSON.parse(message.data);
    } catch {
      return;
    }
    const event = LogEvent.safeParse(json);
    if (event.success) send(sseEvent(logEventText(event.data)));
  });
  socket.addEventListener("close", stop);
  socket.addEventListener("error", stop);
  // The first bytes now: the browser knows the stream is open (and retries after 3 s if it drops).
  send(encoder.encode("retry: 3000\n: following\n\n"));
  return c.body(readable, 200, {
    "Content-Type": "text/event-stream; charset=utf-8",
    "X-Accel-Buffering": "no",
  });
});
