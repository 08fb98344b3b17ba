import { DurableObject } from "cloudflare:workers";
import { z } from "zod";
import { BackgroundPace } from "./background-pace";
import { CallPriority } from "./call-priority";
import { OperationClaims } from "./claims";
import { WaitingLine } from "./waiting-line";

/**
 * Cloudflare allows 1,200 API requests per 5 minutes per token, for all its
 * callers together; over it, every call gets 429 for the next 5 minutes. So
 * every request the control plane sends first takes a slot from one shared
 * budget, which grants it once the request may be sent, and a 429 anywhere
 * pauses every caller until its Retry-After has passed. When callers wait,
 * the budget serves them by priority (call-priority.ts): an operator's
 * request first, then the oldest operation, not in the order they asked.
 */
export interface ApiBudgetPort {
  /**
   * Takes a request slot for a call of `priority`; resolves once the request
   * may be sent. An aborted `signal` gives the caller's place in line back and
   * rejects with the signal's reason.
   */
  acquire(priority: CallPriority, signal?: AbortSignal): Promise<void>;
  /** A request got 429: nobody sends anything for `retryAfterMs`. */
  pause(retryAfterMs: number): Promise<void>;
}

export const BudgetRule = z.object({
  /** Requests allowed per window. */
  limit: z.number().int().positive(),
  windowMs: z.number().int().positive(),
});
export type BudgetRule = Readonly<z.infer<typeof BudgetRule>>;

/** What an ask comes to: a slot granted at `at` (epoch ms; send now), or none yet (ask again). */
export type Grant = { readonly granted: true; readonly at: number } | { readonly granted: false };

/** Added to every window: calls take up to this long to arrive after they are sent. */
export const WINDOW_MARGIN_MS = 1000;

/**
 * The longest one ask waits in the Durable Object unanswered; then it is
 * answered "not yet" and its caller asks again, with the same priority. So a
 * caller that vanished without withdrawing (its isolate gone) is out of the
 * line within this long, and no call to the object stays open for minutes.
 */
export const ASK_TIMEOUT_MS = 10_000;

/**
 * The share of every window background calls leave to requests, so that an
 * operator's request finds a slot even after background work took a window's
 * allowance at once (none when the limit is under 20).
 */
export const REQUEST_SHARE = 1 / 20;

/** The Durable Object's name: one instance for the whole control plane, as the API's limit is per token. */
export const API_BUDGET_NAME = "cloudflare-api";

const AskOptions = z.object({
  /** Names the ask, so that its caller can withdraw it. */
  ticket: z.string().min(1),
  maxWaitMs: z.number().int().positive().max(ASK_TIMEOUT_MS).default(ASK_TIMEOUT_MS),
});

type Waiter = {
  readonly priority: CallPriority;
  readonly arrival: number;
  readonly rule: BudgetRule;
  readonly ticket: string;
  readonly answer: (grant: Grant) => void;
  /** Answers "not yet" after the ask's longest wait. */
  expiry: ReturnType<typeof setTimeout> | null;
};

/**
 * The shared budget. The rule: no `limit` slots within one window, i.e. a
 * slot is granted at `now` only if the slot `limit` places back is at least
 * a window (plus WINDOW_MARGIN_MS) before `now`. Slots are granted only at
 * the moment they are due, so granted slots are in time order and the check
 * of that one slot is enough; they live in SQLite storage, so an evicted
 * instance forgets none. Who gets a slot that comes free is decided then, by
 * priority, among the callers waiting at that moment: a late high-priority
 * caller overtakes every earlier one still waiting, never one already
 * granted. A background call also waits while the window must keep room for
 * requests (REQUEST_SHARE) and for the calls older operations have claimed
 * (claims.ts), so that a window's allowance coming free at once goes to the
 * oldest operations, whole, rather than one step to each; and while
 * requests have come within the last window, background calls are paced
 * (background-pace.ts), so that the requests of a burst (a POST's script
 * check) keep finding slots. Waiting callers are held in memory (their calls
 * are open); an instance reset answers them with an error, and they ask again.
 */
export class ApiBudget extends DurableObject {
  private readonly sql: SqlStorage;
  readonly #line = new WaitingLine<Waiter>();
  readonly #tickets = new Map<string, Waiter>();
  #arrivals = 0;
  readonly #pace = new BackgroundPace();
  readonly #claims = new OperationClaims();
  /** When a request's call was last granted (epoch ms): background calls are paced for a window after. */
  #requestAt = Number.NEGATIVE_INFINITY;
  /** The timer that serves the line when its first waiter's slot comes due. */
  #wake: { at: number; timer: ReturnType<typeof setTimeout> } | null = null;

  constructor(ctx: DurableObjectState, env: Cloudflare.Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec("CREATE TABLE IF NOT EXISTS slots (at INTEGER NOT NULL)");
    this.sql.exec("CREATE INDEX IF NOT EXISTS slots_at ON slots (at)");
    this.sql.exec("CREATE TABLE IF NOT EXISTS pause (id INTEGER PRIMARY KEY CHECK (id = 1), until INTEGER NOT NULL)");
  }

  /**
   * Waits in line for a slot under `rule`, at most `maxWaitMs`
   * (ASK_TIMEOUT_MS by default). Granted: send the request now.
   */
  acquire(rule: BudgetRule, priority: CallPriority, options: z.input<typeof AskOptions>): Promise<Grant> {
    const ask = AskOptions.parse(options);
    const { promise, resolve } = Promise.withResolvers<Grant>();
    const waiter: Waiter = {
      priority: CallPriority.parse(priority),
      arrival: this.#arrivals++,
      rule: BudgetRule.parse(rule),
      ticket: ask.ticket,
      answer: resolve,
      expiry: null,
    };
    waiter.expiry = setTimeout(() => this.#leave(waiter, { granted: false }), ask.maxWaitMs);
    // A ticket asked with again (a caller's retry of an ask whose answer it lost) holds one place, the new one.
    const previous = this.#tickets.get(ask.ticket);
    if (previous !== undefined) this.#leave(previous, { granted: false });
    this.#tickets.set(ask.ticket, waiter);
    this.#line.add(waiter);
    this.#serve();
    return promise;
  }

  /** The caller of the ask `ticket` gave up: out of the line. False when it was not waiting (granted, or gone). */
  withdraw(ticket: string): boolean {
    const waiter = this.#tickets.get(ticket);
    return waiter !== undefined && this.#leave(waiter, { granted: false });
  }

  /** How many calls are waiting for a slot. */
  waiting(): number {
    return this.#line.size;
  }

  /** The waiting calls' priorities, in the order they are to be served. */
  line(): CallPriority[] {
    return this.#line.entries().map((waiter) => waiter.priority);
  }

  /** How long the pause after a 429 still lasts (0: none). */
  pausedFor(now = Date.now()): number {
    return Math.max(0, this.#pausedUntil() - now);
  }

  pause(retryAfterMs: number, now = Date.now()): number {
    const until = now + Math.max(0, retryAfterMs);
    this.sql.exec(
      "INSERT INTO pause (id, until) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET until = MAX(until, excluded.until)",
      until,
    );
    // The first waiter's slot may have moved later: serve again, which sets the timer anew.
    this.#serve();
    return this.#pausedUntil();
  }

  /** Grants every slot that is due, each to the first waiter in line, then sleeps until the next one is due. */
  #serve(): void {
    for (let first = this.#line.first(); first !== undefined; first = this.#line.first()) {
      const now = Date.now();
      const { limit, windowMs } = first.rule;
      const window = windowMs + WINDOW_MARGIN_MS;
      // Requests sort first: a background call first in line means no request is waiting.
      const background = first.priority.class === "operation";
      const paced = background && now - this.#requestAt < window;
      const due = Math.max(
        this.#nextSlotAt(first.rule, now),
        background ? this.#roomAt(first, now) : now,
        paced ? this.#pace.nextAt(limit, window, now) : now,
      );
      if (due > now) {
        this.#wakeAt(due);
        return;
      }
      this.sql.exec("INSERT INTO slots (at) VALUES (?)", now);
      if (paced) this.#pace.take(limit, window, now);
      if (!background) this.#requestAt = now;
      this.#claims.granted(first.priority, now);
      this.#leave(first, { granted: true, at: now });
    }
    this.#wakeAt(null);
  }

  /**
   * When the window has room for `waiter`'s background call: fewer slots in
   * it than the rule's limit, less the requests' share and the calls older
   * operations claim. Later when it has not: when enough slots leave the
   * window, or a claim lapses (an older operation's own asks serve the line
   * sooner).
   */
  #roomAt(waiter: Waiter, now: number): number {
    const { limit, windowMs } = waiter.rule;
    const window = windowMs + WINDOW_MARGIN_MS;
    const allowed = limit - Math.floor(limit * REQUEST_SHARE) - this.#claims.olderThan(waiter.priority, now);
    const lapse = this.#claims.nextLapse() ?? Number.POSITIVE_INFINITY;
    if (allowed < 1) return Math.min(lapse, now + window);
    // Room while fewer than `allowed` slots are in the window: the `allowed`-th newest in it has to leave first.
    const blocking = this.sql
      .exec<{ at: number }>(
        "SELECT at FROM slots WHERE at > ? ORDER BY at DESC LIMIT 1 OFFSET ?",
        now - window,
        allowed - 1,
      )
      .toArray()[0]?.at;
    return blocking === undefined ? now : Math.min(lapse, blocking + window);
  }

  /** When the next slot under `rule` may be granted: now, or later (the rule, a pause). */
  #nextSlotAt(rule: BudgetRule, now: number): number {
    // The API counts calls as they arrive, this budget as they leave; a call sent just after a
    // window here can arrive just inside the API's, so a window here is a little longer.
    const window = rule.windowMs + WINDOW_MARGIN_MS;
    this.sql.exec("DELETE FROM slots WHERE at <= ?", now - window);
    const latest = this.sql.exec<{ at: number | null }>("SELECT MAX(at) AS at FROM slots").one().at ?? 0;
    // The slot `limit` places back from the next one: the next one must be a window after it.
    const limitBack = this.sql
      .exec<{ at: number }>("SELECT at FROM slots ORDER BY at DESC LIMIT 1 OFFSET ?", rule.limit - 1)
      .toArray()[0]?.at;
    return Math.max(now, this.#pausedUntil(), latest, limitBack === undefined ? 0 : limitBack + window);
  }

  #pausedUntil(): number {
    return this.sql.exec<{ until: number }>("SELECT until FROM pause").toArray()[0]?.until ?? 0;
  }

  /** Takes `waiter` out of the line with `grant` as its answer; false when it had been answered already. */
  #leave(waiter: Waiter, grant: Grant): boolean {
    if (!this.#line.remove(waiter)) return false;
    clearTimeout(waiter.expiry);
    if (this.#tickets.get(waiter.ticket) === waiter) this.#tickets.delete(waiter.ticket);
    waiter.answer(grant);
    // The first waiter may have changed (its rule with it): when the line is served next is decided again.
    if (!grant.granted) this.#serve();
    return true;
  }

  /** Serves the line at `at` (null: nobody waits, no timer). */
  #wakeAt(at: number | null): void {
    if (this.#wake?.at === at) return;
    if (this.#wake !== null) clearTimeout(this.#wake.timer);
    this.#wake = at === null ? null : { at, timer: setTimeout(() => this.#woken(), Math.max(0, at - Date.now())) };
  }

  #woken(): void {
    this.#wake = null;
    this.#serve();
  }
}

/**
 * Asks, unless the caller's `signal` is aborted already, and races the ask
 * against it: aborted meanwhile, the ask is withdrawn (a grant that crossed
 * the withdrawal is a slot spent for nothing, which the rule still counts)
 * and the signal's reason is thrown.
 */
async function askUnlessAborted(
  ask: () => Promise<Grant>,
  signal: AbortSignal | undefined,
  withdraw: () => Promise<unknown>,
): Promise<Grant> {
  if (signal === undefined) return ask();
  signal.throwIfAborted();
  const { promise: aborted, reject } = Promise.withResolvers<never>();
  const onAbort = () => {
    withdraw().catch(() => undefined);
    reject(signal.reason);
  };
  signal.addEventListener("abort", onAbort, { once: true });
  try {
    return await Promise.race([ask(), aborted]);
  } finally {
    signal.removeEventListener("abort", onAbort);
  }
}

/** The budget as the client uses it: the shared Durable Object, asked again until it grants a slot. */
export function durableApiBudget(
  namespace: DurableObjectNamespace<ApiBudget>,
  rule: BudgetRule,
  name = API_BUDGET_NAME,
): ApiBudgetPort {
  const stub = () => namespace.get(namespace.idFromName(name));
  return {
    async acquire(priority, signal) {
      for (;;) {
        const budget = stub();
        const ticket = crypto.randomUUID();
        const grant = await askUnlessAborted(
          () => budget.acquire(rule, priority, { ticket }),
          signal,
          () => budget.withdraw(ticket),
        );
        if (grant.granted) return;
      }
    },
    async pause(retryAfterMs) {
      await stub().pause(retryAfterMs);
    },
  };
}

/** No budget: for a caller alone with its token (a CLI, a test of something else). */
export const unlimitedBudget: ApiBudgetPort = { acquire: async () => {}, pause: async () => {} };
