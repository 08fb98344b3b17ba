import type { CallPriority } from "./call-priority";

/**
 * How long an operation's claim outlives its latest granted call: the time
 * its next step may take to ask (a registry write or two, under load). An
 * operation that stops asking (it failed, it sleeps before a retry) holds
 * slots back no longer than this.
 */
export const CLAIM_HOLD_MS = 2_000;

type Claim = { readonly since: number; readonly calls: number; readonly until: number };

/**
 * The slots the API budget holds for operations under way, so that the
 * oldest finish first. An operation asks for one slot at a time, one step
 * after another; when a window's allowance comes free at once, every
 * operation waiting at that moment would get one, and a burst of onboardings
 * would advance step by step together, all finishing near the end. So an
 * operation granted a call claims the calls it has still to make (`work` in
 * its priority: one per step left, an estimate), and a background call is
 * granted only if the window keeps room for the claims of every older
 * operation. A claim shrinks with each call granted, and is gone when the
 * operation has nothing left or stops asking (CLAIM_HOLD_MS). In memory: an
 * instance reset forgets the claims, and the line's order alone decides
 * until operations ask again.
 */
export class OperationClaims {
  readonly #claims = new Map<string, Claim>();

  /** A call of `priority` was granted at `now`: its operation claims its later calls, or nothing once none are left. */
  granted(priority: CallPriority, now: number): void {
    const { work } = priority;
    if (work === undefined) return;
    if (work.later === 0) this.#claims.delete(work.id);
    else this.#claims.set(work.id, { since: priority.since, calls: work.later, until: now + CLAIM_HOLD_MS });
  }

  /** The slots claimed at `now` by operations older than the one `priority` belongs to (its own claim aside). */
  olderThan(priority: CallPriority, now: number): number {
    const own = priority.work?.id;
    let calls = 0;
    for (const [id, claim] of this.#claims) {
      if (claim.until <= now) this.#claims.delete(id);
      else if (id !== own && isOlder(claim.since, id, priority.since, own)) calls += claim.calls;
    }
    return calls;
  }

  /** When the first claim held now lapses (null: none is held). */
  nextLapse(): number | null {
    let first: number | null = null;
    for (const claim of this.#claims.values()) first = first === null ? claim.until : Math.min(first, claim.until);
    return first;
  }
}

/** Older: created earlier; created the same millisecond, the smaller id (a fixed order). */
const isOlder = (since: number, id: string, thanSince: number, thanId: string | undefined) =>
  since < thanSince || (since === thanSince && thanId !== undefined && id < thanId);
