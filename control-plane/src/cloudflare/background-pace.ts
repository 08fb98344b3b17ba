/** How much of a window's allowance background calls may take at once after a quiet spell: a lone onboarding's. */
export const BACKGROUND_BURST_SHARE = 1 / 20;

/**
 * The pace of background (`operation`) calls in the API budget while
 * requests are coming (budget.ts: within a window of the last one): on
 * average no faster than the rule's own rate (`limit` per window), with a
 * burst of BACKGROUND_BURST_SHARE of the window's allowance (a token bucket).
 * Unpaced, background work would take a window's allowance the moment it
 * comes free, and the requests of a burst (each POST's script check) would
 * wait a window for a slot; paced, background slots come one by one and the
 * rest of the window stays free for them, as requests are not paced. With
 * no request about, background calls are not paced: the requests' share of
 * the window and the claims of older operations (claims.ts) are all that
 * holds them. Kept in memory: an instance reset starts with a full burst,
 * which the rule still bounds.
 */
export class BackgroundPace {
  /** Tokens in the bucket at `#at` (null: full, nothing taken yet). */
  #tokens: number | null = null;
  #at = 0;

  /** When the next background call may go under `limit` per `windowMs`: `now`, or later. */
  nextAt(limit: number, windowMs: number, now: number): number {
    const tokens = this.#refilled(limit, windowMs, now);
    return tokens >= 1 ? now : now + Math.ceil((1 - tokens) * (windowMs / limit));
  }

  /** A background call was granted at `now`. */
  take(limit: number, windowMs: number, now: number): void {
    this.#tokens = this.#refilled(limit, windowMs, now) - 1;
    this.#at = now;
  }

  #refilled(limit: number, windowMs: number, now: number): number {
    const burst = Math.max(1, Math.floor(limit * BACKGROUND_BURST_SHARE));
    if (this.#tokens === null) return burst;
    return Math.min(burst, this.#tokens + (Math.max(0, now - this.#at) * limit) / windowMs);
  }
}
