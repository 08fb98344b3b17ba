import { z } from "zod";

/**
 * Where a call stands in the shared API budget's line when slots are scarce
 * (budget.ts). The one definition of the order in which waiting calls are
 * served:
 *
 * 1. `class`: `request` before `operation`. A `request` call is one an
 *    operator's HTTP request is waiting on (the script check a POST or PUT
 *    answers with, a lookup the request makes); `operation` is everything
 *    running in the background. A burst of 200 onboardings then answers every
 *    POST before it spends slots on their later steps.
 * 2. `since` (epoch ms), oldest first: the creation time of the operation the
 *    call belongs to, so that an operation's calls, retries included, keep its
 *    age and the oldest operations finish first rather than all advancing step
 *    by step together. A call belonging to no operation is as old as its first
 *    ask.
 * 3. Arrival at the budget, first come first served: the tie-break.
 *
 * Nothing waits forever behind this order: a call holds no place while its
 * caller sleeps (a backoff, a retry's wait), so a newer operation takes the
 * slots an older one is not asking for; and a `request` goes first only while
 * someone is waiting on it.
 */
export const CallClass = z.enum(["request", "operation"]);
export type CallClass = z.infer<typeof CallClass>;

export const CallPriority = z.object({
  class: CallClass,
  since: z.number().int().nonnegative(),
  /**
   * The operation the call belongs to, and how many calls it is expected to
   * ask for after this one (one per step it has left): the budget holds that
   * many slots for it while it runs, ahead of newer operations (claims.ts).
   */
  work: z.object({ id: z.string().min(1), later: z.number().int().nonnegative() }).optional(),
});
export type CallPriority = z.infer<typeof CallPriority>;

/** A call's priority in the line, with its arrival there (the tie-break). */
export type Ranked = { readonly priority: CallPriority; readonly arrival: number };

const CLASS_RANK: Readonly<Record<CallClass, number>> = { request: 0, operation: 1 };

/** Negative when `a` is served before `b`. */
export function comparePriority(a: Ranked, b: Ranked): number {
  return (
    CLASS_RANK[a.priority.class] - CLASS_RANK[b.priority.class] ||
    a.priority.since - b.priority.since ||
    a.arrival - b.arrival
  );
}

/** Says, when a call is about to ask for a slot, where it stands. Called for every attempt. */
export type PrioritySource = () => CallPriority;

/** A background call that belongs to no operation (a canary's metering, a hostname check): as old as its ask. */
export const backgroundPriority: PrioritySource = () => ({ class: "operation", since: Date.now() });

/** Calls an operator's request waits on, as old as the request (`since`: when it came). */
export const requestPriority =
  (since = Date.now()): PrioritySource =>
  () => ({ class: "request", since });
