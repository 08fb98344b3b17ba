import { DurableObject } from "cloudflare:workers";
import { sleep } from "./retry";

/**
 * Cloudflare allows 1,200 API requests per 5 minutes per token, for all its
 * callers together; over it, every call gets 429 for the next 5 minutes. So
 * every request the control plane sends first takes a slot from one shared
 * budget, which hands back how long to wait before sending it, and a 429
 * anywhere pauses every caller until its Retry-After has passed.
 */
export interface ApiBudgetPort {
  /** Takes a request slot; resolves once the request may be sent. */
  acquire(): Promise<void>;
  /** A request got 429: nobody sends anything for `retryAfterMs`. */
  pause(retryAfterMs: number): Promise<void>;
}

export interface BudgetRule {
  /** Requests allowed per window. */
  readonly limit: number;
  readonly windowMs: number;
}

export interface Reservation {
  /** When the request may be sent (epoch ms). */
  readonly at: number;
  /** `at` minus now: how long the caller waits. */
  readonly waitMs: number;
}

/** Added to every window: calls take up to this long to arrive after they are sent. */
export const WINDOW_MARGIN_MS = 1000;

/** The Durable Object's name: one instance for the whole control plane, as the API's limit is per token. */
export const API_BUDGET_NAME = "cloudflare-api";

/**
 * The shared budget. Slots are handed out in time order, so a rule holds if
 * the slot `limit` places back is at least a window before the new one.
 * Slots live in SQLite storage, so an evicted instance forgets nothing.
 */
export class ApiBudget extends DurableObject {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS slots (at INTEGER NOT NULL)");
    this.sql.exec("CREATE INDEX IF NOT EXISTS slots_at ON slots (at)");
    this.sql.exec("CREATE TABLE IF NOT EXISTS pause (id INTEGER PRIMARY KEY CHECK (id = 1), until INTEGER NOT NULL)");
  }

  reserve(rule: BudgetRule, now = Date.now()): Reservation {
    this.sql.exec("DELETE FROM slots WHERE at <= ?", now - rule.windowMs - WINDOW_MARGIN_MS);
    const pausedUntil = this.sql.exec<{ until: number }>("SELECT until FROM pause").toArray()[0]?.until ?? 0;
    const latest = this.sql.exec<{ at: number | null }>("SELECT MAX(at) AS at FROM slots").one().at ?? 0;
    // The slot `limit` places back from the new one: the new one must be a window after it.
    const limitBack = this.sql
      .exec<{ at: number }>("SELECT at FROM slots ORDER BY at DESC LIMIT 1 OFFSET ?", rule.limit - 1)
      .toArray()[0]?.at;
    // The API counts calls as they arrive, this budget as they leave; a call sent just after a
    // window here can arrive just inside the API's, so a window here is a little longer.
    const window = rule.windowMs + WINDOW_MARGIN_MS;
    const at = Math.max(now, pausedUntil, latest, limitBack === undefined ? 0 : limitBack + window);
    this.sql.exec("INSERT INTO slots (at) VALUES (?)", at);
    return { at, waitMs: at - now };
  }

  /** How long the pause after a 429 still lasts (0: none). */
  pausedFor(now = Date.now()): number {
    const until = this.sql.exec<{ until: number }>("SELECT until FROM pause").toArray()[0]?.until ?? 0;
    return Math.max(0, until - now);
  }

  pause(retryAfterMs: number, now = Date.now()): number {
    const until = now + Math.max(0, retryAfterMs);
    this.sql.exec(
      "INSERT INTO pause (id, until) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET until = MAX(until, excluded.until)",
      until,
    );
    return this.sql.exec<{ until: number }>("SELECT until FROM pause").one().until;
  }
}

/** The budget as the client uses it: the shared Durable Object, and a real wait before each request. */
export function durableApiBudget(
  namespace: DurableObjectNamespace<ApiBudget>,
  rule: BudgetRule,
  name = API_BUDGET_NAME,
): ApiBudgetPort {
  const stub = () => namespace.get(namespace.idFromName(name));
  return {
    async acquire() {
      for (;;) {
        const { waitMs } = await stub().reserve(rule);
        await sleep(waitMs);
        // A 429 may have paused everyone while this caller slept: its slot is void, take a new one.
        if ((await stub().pausedFor()) <= 0) return;
      }
    },
    async pause(retryAfterMs) {
      await stub().pause(retryAfterMs);
    },
  };
}

/** No budget: for a caller alone with its token (a CLI, a test of something else). */
export const unlimitedBudget: ApiBudgetPort = { acquire: async () => {}, pause: async () => {} };
