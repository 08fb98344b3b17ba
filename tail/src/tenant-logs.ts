import { DurableObject } from "cloudflare:workers";
import { type LogEvent, type LogPage, LogQuery } from "../../platform/tenant-logs";
import { configOf } from "./config";
import type { Env } from "./env";
import type { NewLogEvent } from "./log-event";

/** The close code live followers get when the tenant's logs are purged (the tenant was deleted). */
export const PURGED_CLOSE_CODE = 4000;

/**
 * One tenant's logs (one object per tenant, `idFromName(tenantId)`): its
 * events in SQLite, bounded by count and age (LOG_RETENTION_EVENTS,
 * LOG_RETENTION_DAYS), pruned on every append and every read; and its live
 * followers, WebSockets accepted with the hibernation API, to which every
 * appended event is sent. Nothing is kept in memory per socket: an idle
 * follower lets the object hibernate.
 */
export class TenantLogs extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.createSchema();
    // A follower may keep its connection alive with "ping" without waking the object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  private createSchema(): void {
    this.sql.exec(
      "CREATE TABLE IF NOT EXISTS events (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, outcome TEXT NOT NULL, body TEXT NOT NULL)",
    );
    this.sql.exec("CREATE INDEX IF NOT EXISTS events_at ON events (at)");
    this.sql.exec("CREATE INDEX IF NOT EXISTS events_outcome ON events (outcome, id)");
  }

  /** Drops what is beyond the newest LOG_RETENTION_EVENTS and what is older than LOG_RETENTION_DAYS. */
  private prune(now = Date.now()): void {
    const { retentionEvents, retentionMs } = configOf(this.env);
    this.sql.exec("DELETE FROM events WHERE at < ?", now - retentionMs);
    this.sql.exec(
      "DELETE FROM events WHERE id <= (SELECT id FROM events ORDER BY id DESC LIMIT 1 OFFSET ?)",
      retentionEvents,
    );
  }

  /** Stores the events (in order; each gets the next id), prunes, and sends each to every live follower. */
  append(events: NewLogEvent[]): number {
    const stored: LogEvent[] = [];
    for (const event of events) {
      const at = Date.parse(event.timestamp);
      const { id } = this.sql
        .exec<{ id: number }>(
          "INSERT INTO events (at, outcome, body) VALUES (?, ?, ?) RETURNING id",
          Number.isNaN(at) ? Date.now() : at,
          event.outcome,
          JSON.stringify(event),
        )
        .one();
      stored.push({ id, ...event });
    }
    this.prune();
    const followers = this.ctx.getWebSockets();
    for (const event of stored) {
      const frame = JSON.stringify(event);
      for (const socket of followers) {
        try {
          socket.send(frame);
        } catch {
          // A follower that is closing: it is cleaned up by webSocketClose/webSocketError.
        }
      }
    }
    return stored.length;
  }

  /** The tenant's events, newest first: `before` an id, of one `outcome`, `limit` of them; `next` pages on. */
  page(query: Partial<LogQuery> = {}): LogPage {
    const { limit, before, outcome } = LogQuery.parse(query);
    this.prune();
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (before !== undefined) {
      where.push("id < ?");
      params.push(before);
    }
    if (outcome !== undefined) {
      where.push("outcome = ?");
      params.push(outcome);
    }
    const rows = this.sql
      .exec<{ id: number; body: string }>(
        `SELECT id, body FROM events ${where.length === 0 ? "" : `WHERE ${where.join(" AND ")}`} ORDER BY id DESC LIMIT ?`,
        ...params,
        limit + 1,
      )
      .toArray();
    const events = rows.slice(0, limit).map(({ id, body }) => ({ id, ...(JSON.parse(body) as NewLogEvent) }));
    const last = events.at(-1);
    return { events, next: rows.length > limit && last !== undefined ? last.id : null };
  }

  /** Deletes every event and closes every live follower (code 4000): the tenant is gone. */
  async purge(): Promise<void> {
    for (const socket of this.ctx.getWebSockets()) {
      try {
        socket.close(PURGED_CLOSE_CODE, "the tenant's logs were purged");
      } catch {}
    }
    await this.ctx.storage.deleteAll();
    this.createSchema();
  }

  /** `Upgrade: websocket`: a live follower, hibernatable; anything else: 426. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return Response.json(
        { error: { code: "upgrade_required", message: "live logs are a WebSocket: send Upgrade: websocket" } },
        { status: 426, headers: { upgrade: "websocket" } },
      );
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.ctx.acceptWebSocket(server);
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Followers have nothing to say: what they send is ignored ("ping" is answered "pong" without waking). */
  override webSocketMessage(): void {}

  override webSocketClose(socket: WebSocket, code: number, reason: string): void {
    try {
      // 1005 and 1006 are reported, never sent.
      socket.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {}
  }

  override webSocketError(socket: WebSocket): void {
    try {
      socket.close(1011, "error");
    } catch {}
  }
}
