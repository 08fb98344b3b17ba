import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { emulatorConfig } from "../config";
import type { Env } from "../env";

/**
 * What a fault does to a matching call: answer with an error, answer late, or
 * not answer at all (until the client gives up, or `ms` passes). All of these
 * stop the call before its route runs, except `lose`: the call runs and what
 * it did is kept, then its answer is lost, as when a connection drops or an
 * edge times out after the origin has acted. That is what a client has to
 * survive by looking up before it creates again.
 */
export const FaultAction = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("fail"),
    status: z.number().int().min(400).max(599),
    code: z.number().int().min(0),
    message: z.string().min(1).default("Injected fault"),
    /** Sent as Retry-After (seconds), as the real API does with 429s. */
    retryAfter: z.number().int().min(0).optional(),
  }),
  z.strictObject({ kind: z.literal("delay"), ms: z.number().int().min(0).max(600_000) }),
  z.strictObject({ kind: z.literal("hang"), ms: z.number().int().min(1).max(600_000).default(300_000) }),
  z.strictObject({
    kind: z.literal("lose"),
    /** No answer for this long (or until the client gives up) after the call ran; 0 answers at once. */
    ms: z.number().int().min(0).max(600_000).default(0),
    /** The status the client then gets: a gateway's 5xx, as Cloudflare's edge gives for an origin that went quiet. */
    status: z.number().int().min(500).max(599).default(504),
  }),
]);
export type FaultAction = z.infer<typeof FaultAction>;

export const FaultRuleInput = z.strictObject({
  /** HTTP method, or "*" for any. */
  method: z
    .string()
    .regex(/^(\*|[A-Za-z]+)$/)
    .default("*")
    .transform((m) => m.toUpperCase()),
  /**
   * Glob over the path below /client/v4: `*` matches within one segment,
   * `**` across segments. Example: `/accounts/* /d1/database` (without the space).
   */
  path: z.string().startsWith("/").max(1024),
  /** How many matching calls it applies to before it is spent. */
  times: z.number().int().min(1).max(1_000_000).default(1),
  action: FaultAction,
});
export type FaultRuleInput = z.infer<typeof FaultRuleInput>;

/** How many hit times a rule keeps (the latest ones): enough for any test, bounded for a rule hit a million times. */
export const KEPT_HIT_TIMES = 100;

/**
 * `hitsAt`: when each of the latest hits was admitted (epoch ms), oldest
 * first, so a test can check how a client spaced its retries (a Retry-After
 * honoured) from what the API saw rather than from its own clock.
 */
export type FaultRule = FaultRuleInput & { id: string; remaining: number; hits: number; hitsAt: number[] };

export const RateLimitConfig = z.strictObject({
  enabled: z.boolean(),
  requests: z.number().int().min(1).max(1_000_000),
  windowSeconds: z.number().int().min(1).max(86_400),
});
export type RateLimitConfig = z.infer<typeof RateLimitConfig>;

/**
 * The API calls the Gate has seen since `since` (epoch ms): every
 * authenticated call, the ones it answered with 429 among them, and the
 * busiest one-second bucket (epoch seconds), so a client can check what load
 * it put on the API.
 */
export type CallCounts = {
  since: number;
  calls: number;
  rateLimited: number;
  peakSecond: { at: number; calls: number } | null;
};

export type Admission =
  | { kind: "pass" }
  | { kind: "rate-limited"; retryAfterSeconds: number }
  | { kind: "fault"; action: FaultAction };

/** `*` within a segment, `**` across segments; everything else literal. */
export function globToRegExp(glob: string): RegExp {
  let source = "";
  for (let i = 0; i < glob.length; i++) {
    const ch = glob[i] as string;
    if (ch === "*") {
      if (glob[i + 1] === "*") {
        source += ".*";
        i++;
      } else source += "[^/]*";
    } else source += ch.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${source}/?$`);
}

/**
 * The one object every API call passes through before its route: Cloudflare's
 * per-token rate limit (a window of `requests` calls per `windowSeconds`, then
 * 429 for a whole window) and the fault rules tests install. A single instance
 * keeps both decisions ordered and exact, which is what tests need; the cost
 * is one local RPC per call.
 */
export class Gate extends DurableObject<Env> {
  private readonly sql: SqlStorage;
  private faults: FaultRule[] = [];
  private rateLimit: RateLimitConfig;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS faults (
      id TEXT PRIMARY KEY, seq INTEGER NOT NULL, rule TEXT NOT NULL, remaining INTEGER NOT NULL, hits INTEGER NOT NULL)`);
    // A table of its own rather than a column of `faults`, so state kept from before it existed still loads.
    this.sql.exec(`CREATE TABLE IF NOT EXISTS fault_hits (
      rule_id TEXT NOT NULL, hit INTEGER NOT NULL, at INTEGER NOT NULL, PRIMARY KEY (rule_id, hit))`);
    this.sql.exec("CREATE TABLE IF NOT EXISTS config (key TEXT PRIMARY KEY, value TEXT NOT NULL)");
    this.sql.exec(`CREATE TABLE IF NOT EXISTS rate_windows (
      token_hash TEXT PRIMARY KEY, window_start INTEGER NOT NULL, count INTEGER NOT NULL, blocked_until INTEGER NOT NULL)`);
    // One row, updated in place: constant space however long the emulator runs.
    this.sql.exec(`CREATE TABLE IF NOT EXISTS call_counts (
      id INTEGER PRIMARY KEY CHECK (id = 1), since INTEGER NOT NULL, calls INTEGER NOT NULL, rate_limited INTEGER NOT NULL,
      bucket_second INTEGER NOT NULL, bucket_calls INTEGER NOT NULL, peak_second INTEGER NOT NULL, peak_calls INTEGER NOT NULL)`);
    this.sql.exec("INSERT OR IGNORE INTO call_counts VALUES (1, ?, 0, 0, 0, 0, 0, 0)", Date.now());
    this.faults = this.loadFaults();
    this.rateLimit = this.loadRateLimit();
  }

  private loadFaults(): FaultRule[] {
    return this.sql
      .exec<{ id: string; rule: string; remaining: number; hits: number }>(
        "SELECT id, rule, remaining, hits FROM faults ORDER BY seq",
      )
      .toArray()
      .map((row) => ({
        ...(JSON.parse(row.rule) as FaultRuleInput),
        id: row.id,
        remaining: row.remaining,
        hits: row.hits,
        hitsAt: this.sql
          .exec<{ at: number }>("SELECT at FROM fault_hits WHERE rule_id = ? ORDER BY hit", row.id)
          .toArray()
          .map((hit) => hit.at),
      }));
  }

  private loadRateLimit(): RateLimitConfig {
    const stored = this.sql.exec<{ value: string }>("SELECT value FROM config WHERE key = 'rate_limit'").toArray()[0];
    if (stored !== undefined) return RateLimitConfig.parse(JSON.parse(stored.value));
    const config = emulatorConfig(this.env);
    return {
      enabled: config.RATE_LIMIT_ENABLED,
      requests: config.RATE_LIMIT_REQUESTS,
      windowSeconds: config.RATE_LIMIT_WINDOW_SECONDS,
    };
  }

  /** Decides what happens to one API call. Rate limiting is counted first, as a real outage behind the limiter would be. */
  admit(tokenHash: string, method: string, path: string, now = Date.now()): Admission {
    if (this.rateLimit.enabled) {
      const retryAfter = this.countCall(tokenHash, now);
      this.tally(now, retryAfter !== null);
      if (retryAfter !== null) return { kind: "rate-limited", retryAfterSeconds: retryAfter };
    } else this.tally(now, false);
    return this.takeFault(method, path, now);
  }

  /**
   * The fault rules alone, for a call authorised otherwise than by an API token (the assets upload,
   * by its session's JWT): no token to rate-limit, and not counted among the API's calls.
   */
  admitFault(method: string, path: string, now = Date.now()): Admission {
    return this.takeFault(method, path, now);
  }

  /** The first fault rule that matches the call, spent by one, if any. */
  private takeFault(method: string, path: string, now: number): Admission {
    const rule = this.faults.find(
      (f) => f.remaining > 0 && (f.method === "*" || f.method === method) && globToRegExp(f.path).test(path),
    );
    if (rule === undefined) return { kind: "pass" };
    rule.remaining -= 1;
    rule.hits += 1;
    rule.hitsAt = [...rule.hitsAt, now].slice(-KEPT_HIT_TIMES);
    this.sql.exec("UPDATE faults SET remaining = ?, hits = ? WHERE id = ?", rule.remaining, rule.hits, rule.id);
    this.sql.exec("INSERT INTO fault_hits VALUES (?, ?, ?)", rule.id, rule.hits, now);
    this.sql.exec("DELETE FROM fault_hits WHERE rule_id = ? AND hit <= ?", rule.id, rule.hits - KEPT_HIT_TIMES);
    return { kind: "fault", action: rule.action };
  }

  /** Returns null when the call is within the limit, else the seconds until the block lifts. */
  private countCall(tokenHash: string, now: number): number | null {
    const windowMs = this.rateLimit.windowSeconds * 1000;
    const row = this.sql
      .exec<{ window_start: number; count: number; blocked_until: number }>(
        "SELECT window_start, count, blocked_until FROM rate_windows WHERE token_hash = ?",
        tokenHash,
      )
      .toArray()[0];
    if (row !== undefined && row.blocked_until > now) return Math.max(1, Math.ceil((row.blocked_until - now) / 1000));
    const fresh = row === undefined || now - row.window_start >= windowMs || row.blocked_until > 0;
    const windowStart = fresh ? now : row.window_start;
    const count = (fresh ? 0 : row.count) + 1;
    if (count > this.rateLimit.requests) {
      // Over the limit: every call is refused for one whole window from now.
      this.sql.exec(
        "INSERT OR REPLACE INTO rate_windows VALUES (?, ?, ?, ?)",
        tokenHash,
        windowStart,
        count,
        now + windowMs,
      );
      return this.rateLimit.windowSeconds;
    }
    this.sql.exec("INSERT OR REPLACE INTO rate_windows VALUES (?, ?, ?, 0)", tokenHash, windowStart, count);
    return null;
  }

  /** Counts one call in the totals and in its one-second bucket (SQLite reads the old values on the right of every SET). */
  private tally(now: number, rateLimited: boolean): void {
    const second = Math.floor(now / 1000);
    this.sql.exec(
      `UPDATE call_counts SET
        calls = calls + 1,
        rate_limited = rate_limited + ?,
        bucket_calls = CASE WHEN bucket_second = ? THEN bucket_calls + 1 ELSE 1 END,
        bucket_second = ?,
        peak_second = CASE WHEN (CASE WHEN bucket_second = ? THEN bucket_calls + 1 ELSE 1 END) > peak_calls THEN ? ELSE peak_second END,
        peak_calls = MAX(peak_calls, CASE WHEN bucket_second = ? THEN bucket_calls + 1 ELSE 1 END)
      WHERE id = 1`,
      rateLimited ? 1 : 0,
      second,
      second,
      second,
      second,
      second,
    );
  }

  callCounts(): CallCounts {
    const row = this.sql
      .exec<{ since: number; calls: number; rate_limited: number; peak_second: number; peak_calls: number }>(
        "SELECT since, calls, rate_limited, peak_second, peak_calls FROM call_counts WHERE id = 1",
      )
      .one();
    return {
      since: row.since,
      calls: row.calls,
      rateLimited: row.rate_limited,
      peakSecond: row.peak_calls === 0 ? null : { at: row.peak_second, calls: row.peak_calls },
    };
  }

  /** Starts counting afresh from now; returns the counts it ended. */
  resetCallCounts(now = Date.now()): CallCounts {
    const ended = this.callCounts();
    this.sql.exec(
      "UPDATE call_counts SET since = ?, calls = 0, rate_limited = 0, bucket_second = 0, bucket_calls = 0, peak_second = 0, peak_calls = 0 WHERE id = 1",
      now,
    );
    return ended;
  }

  addFault(input: FaultRuleInput): FaultRule {
    const rule: FaultRule = { ...input, id: crypto.randomUUID(), remaining: input.times, hits: 0, hitsAt: [] };
    const seq = this.sql.exec<{ s: number }>("SELECT COALESCE(MAX(seq), 0) + 1 AS s FROM faults").one().s;
    this.sql.exec("INSERT INTO faults VALUES (?, ?, ?, ?, 0)", rule.id, seq, JSON.stringify(input), rule.remaining);
    this.faults.push(rule);
    return rule;
  }

  listFaults(): FaultRule[] {
    return this.faults;
  }

  removeFault(id: string): boolean {
    const before = this.faults.length;
    this.faults = this.faults.filter((f) => f.id !== id);
    this.sql.exec("DELETE FROM faults WHERE id = ?", id);
    this.sql.exec("DELETE FROM fault_hits WHERE rule_id = ?", id);
    return this.faults.length < before;
  }

  clearFaults(): number {
    const count = this.faults.length;
    this.faults = [];
    this.sql.exec("DELETE FROM faults");
    this.sql.exec("DELETE FROM fault_hits");
    return count;
  }

  getRateLimit(): RateLimitConfig {
    return this.rateLimit;
  }

  /** Replaces the configuration and starts every token's window afresh. */
  setRateLimit(config: RateLimitConfig): RateLimitConfig {
    this.rateLimit = config;
    this.sql.exec("INSERT OR REPLACE INTO config VALUES ('rate_limit', ?)", JSON.stringify(config));
    this.sql.exec("DELETE FROM rate_windows");
    return config;
  }
}
