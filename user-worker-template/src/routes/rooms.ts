import { Hono } from "hono";
import { z } from "zod";
import { mayWrite, requireWriteAccess } from "../auth";
import type { AppEnv } from "../env";
import { AppError, methodNotAllowed } from "../errors";
import { HistoryLimit, MAX_HISTORY, NewMessage, RoomName, SenderName } from "../rooms/protocol";
import { jsonBody, limitBody, parseOr400 } from "../validation";

const HistoryQuery = z.strictObject({ limit: HistoryLimit.default(MAX_HISTORY) });
const ConnectQuery = z.strictObject({ name: SenderName });

/** The room's Durable Object, by its validated name: one object per name, made on first use. */
function roomOf(env: Env, raw: string) {
  // Code uploaded without its Durable Object binding is the deployment's fault, as an unset secret is.
  const namespace = (env as Partial<Env>).ROOM;
  if (namespace === undefined) {
    throw new AppError(503, "not_configured", "rooms need the ROOM Durable Object binding, which is not set");
  }
  const name = parseOr400(RoomName, raw, "room name");
  return { name, room: namespace.getByName(name) };
}

/**
 * `/rooms/:room`: chat rooms, each a Room Durable Object (src/rooms/room.ts).
 * Anyone reads the history and listens over a WebSocket; posting, over HTTP or
 * the WebSocket, is a write (see requireWriteAccess, mayWrite).
 */
export const rooms = new Hono<AppEnv>()
  .get("/:room/messages", async (c) => {
    const { name, room } = roomOf(c.env, c.req.param("room"));
    const { limit } = parseOr400(HistoryQuery, c.req.query(), "query");
    return c.json({ room: name, messages: await room.history(limit) });
  })
  .post("/:room/messages", requireWriteAccess, limitBody(16 * 1024), async (c) => {
    const { room } = roomOf(c.env, c.req.param("room"));
    const message = await jsonBody(c, NewMessage);
    return c.json(await room.post(message), 201);
  })
  .all("/:room/messages", methodNotAllowed(["GET", "HEAD", "POST"]))
  .get("/:room/ws", async (c) => {
    const { room } = roomOf(c.env, c.req.param("room"));
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      c.header("upgrade", "websocket");
      throw new AppError(426, "upgrade_required", "connect with a WebSocket upgrade (Upgrade: websocket)");
    }
    const { name } = parseOr400(ConnectQuery, c.req.query(), "query");
    const canPost = await mayWrite(c);
    // Only what the room needs goes on: the name and the write decision, never the client's token.
    const url = new URL("https://room.internal/connect");
    url.searchParams.set("name", name);
    url.searchParams.set("canPost", String(canPost));
    // Returned as it is: a Response Hono rebuilt would lose its webSocket.
    return room.fetch(url, { headers: { upgrade: "websocket" } });
  })
  .all("/:room/ws", methodNotAllowed(["GET"]));
