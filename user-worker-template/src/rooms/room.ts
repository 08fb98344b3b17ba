import { DurableObject } from "cloudflare:workers";
import { AppError, type ErrorBody } from "../errors";
import { parseOr400 } from "../validation";
import {
  Attachment,
  ClientFrame,
  Connection,
  HistoryLimit,
  MAX_CONNECTIONS,
  MAX_FRAME_CHARS,
  MAX_HISTORY,
  type Message,
  NewMessage,
  type ServerFrame,
} from "./protocol";

const COLUMNS = "id, sender, text, created_at";

const errorJson = (status: number, code: string, message: string) =>
  Response.json({ error: { code, message } } satisfies ErrorBody, { status });

const errorFrame = (code: string, message: string): ServerFrame => ({ type: "error", error: { code, message } });

/**
 * A chat room, one Durable Object per room name: its last MAX_HISTORY
 * messages in the object's SQLite storage, and its WebSocket clients through
 * the hibernation API, so an idle room with clients connected costs nothing
 * and its clients stay connected while it is evicted. Each message, posted over
 * HTTP (`post`) or by a client, is stored, then sent to every client. It does
 * not need its own name (and does not read `ctx.id.name`): the Worker finds it
 * by name.
 */
export class Room extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    // Synchronous, and idempotent: every start of the object runs it before any request.
    ctx.storage.sql.exec(`CREATE TABLE IF NOT EXISTS messages (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      sender TEXT NOT NULL,
      text TEXT NOT NULL,
      created_at TEXT NOT NULL
    )`);
  }

  /** RPC: stores one message, trims the room to its newest MAX_HISTORY in the same write, and sends it to every client. */
  async post(input: NewMessage): Promise<Message> {
    const { name, text } = NewMessage.parse(input);
    const sql = this.ctx.storage.sql;
    const message = this.ctx.storage.transactionSync(() => {
      const stored = sql
        .exec<Message>(
          `INSERT INTO messages (sender, text, created_at) VALUES (?, ?, ?) RETURNING ${COLUMNS}`,
          name,
          text,
          new Date().toISOString(),
        )
        .one();
      // Everything older than the MAX_HISTORY-th newest; nothing while there are fewer.
      sql.exec(
        "DELETE FROM messages WHERE id <= (SELECT id FROM messages ORDER BY id DESC LIMIT 1 OFFSET ?)",
        MAX_HISTORY,
      );
      return stored;
    });
    this.broadcast({ type: "message", message });
    return message;
  }

  /** RPC: the newest `limit` messages (1 to MAX_HISTORY), oldest first. */
  async history(limit: number = MAX_HISTORY): Promise<Message[]> {
    return this.recent(HistoryLimit.parse(limit));
  }

  /**
   * A WebSocket client joins: the Worker has checked the upgrade and the
   * client's name and write access, and passes them in the query (Connection).
   * The client gets the room's history at once.
   */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return errorJson(426, "upgrade_required", "connect with a WebSocket upgrade");
    }
    const connection = Connection.safeParse(Object.fromEntries(new URL(request.url).searchParams));
    if (!connection.success) return errorJson(400, "bad_request", "invalid connection");
    if (this.ctx.getWebSockets().length >= MAX_CONNECTIONS) {
      return errorJson(503, "room_full", `this room has its ${MAX_CONNECTIONS} clients; try again later`);
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    server.serializeAttachment({ name: connection.data.name, canPost: connection.data.canPost } satisfies Attachment);
    send(server, { type: "history", messages: this.recent(MAX_HISTORY) });
    return new Response(null, { status: 101, webSocket: client });
  }

  /** A frame from a client: a message to post, or an error frame back to that client alone; never a crash. */
  override async webSocketMessage(ws: WebSocket, frame: string | ArrayBuffer): Promise<void> {
    try {
      const { name, canPost } = Attachment.parse(ws.deserializeAttachment());
      if (typeof frame !== "string") throw new AppError(400, "bad_request", "send text frames of JSON");
      if (frame.length > MAX_FRAME_CHARS) {
        throw new AppError(413, "payload_too_large", `frames are at most ${MAX_FRAME_CHARS} characters`);
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(frame);
      } catch {
        throw new AppError(400, "bad_request", "the frame is not valid JSON");
      }
      const { text } = parseOr400(ClientFrame, parsed, "frame");
      if (!canPost) {
        throw new AppError(401, "unauthorized", "this connection may only read: posting needs the API_TOKEN");
      }
      await this.post({ name, text });
    } catch (error) {
      if (error instanceof AppError) return send(ws, errorFrame(error.code, error.message));
      console.error("room: unexpected error on a frame:", error instanceof Error ? error.message : String(error));
      send(ws, errorFrame("internal_error", "Internal error"));
    }
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    // Completes the closing handshake; the runtime may have done so already, and 1005/1006 cannot be sent.
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {}
  }

  override async webSocketError(ws: WebSocket, error: unknown): Promise<void> {
    console.error("room: WebSocket error:", error instanceof Error ? error.message : String(error));
    try {
      ws.close(1011, "WebSocket error");
    } catch {}
  }

  private recent(limit: number): Message[] {
    return this.ctx.storage.sql
      .exec<Message>(
        `SELECT ${COLUMNS} FROM (SELECT ${COLUMNS} FROM messages ORDER BY id DESC LIMIT ?) ORDER BY id`,
        limit,
      )
      .toArray();
  }

  /** To every client connected, awake or hibernated; one that is closing is skipped. */
  private broadcast(frame: ServerFrame): void {
    const text = JSON.stringify(frame);
    for (const ws of this.ctx.getWebSockets()) {
      try {
        ws.send(text);
      } catch {}
    }
  }
}

function send(ws: WebSocket, frame: ServerFrame): void {
  try {
    ws.send(JSON.stringify(frame));
  } catch {}
}
