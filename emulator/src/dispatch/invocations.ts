/**
 * Subrequest budgets of the invocations in flight, by id. Lives in the
 * emulator's isolate, where both the dispatch handle (which opens an
 * invocation) and the egress entrypoint (which spends from it) run.
 */
interface Budget {
  limit: number | undefined;
  used: number;
  /** When the response was handed back; work in waitUntil may still spend until the budget is swept. */
  closedAt: number | undefined;
}

/** How long an invocation's waitUntil work may keep making subrequests after its response (production allows 30 s). */
const AFTERLIFE_MS = 30_000;
const budgets = new Map<string, Budget>();
/**
 * Closed invocations' ids, oldest close first (a Map keeps insertion order, and closes come in time
 * order): the sweep stops at the first one still within its afterlife, so a request costs what
 * expired since the last, not a walk over every invocation of the last 30 s.
 */
const closed = new Map<string, number>();

function sweep(now: number): void {
  for (const [id, closedAt] of closed) {
    if (now - closedAt <= AFTERLIFE_MS) return;
    closed.delete(id);
    budgets.delete(id);
  }
}

/** Opens an invocation with its subrequest limit; returns its id and a function to call once its response is out. */
export function openInvocation(limit: number | undefined, now = Date.now()): { id: string; close: () => void } {
  sweep(now);
  const id = crypto.randomUUID();
  const budget: Budget = { limit, used: 0, closedAt: undefined };
  budgets.set(id, budget);
  const close = () => {
    if (budget.closedAt !== undefined) return;
    budget.closedAt = Date.now();
    closed.set(id, budget.closedAt);
  };
  return { id, close };
}

/** Counts one subrequest. False when the invocation is over its limit, or unknown (a forged or expired id). */
export function spendSubrequest(id: string): boolean {
  const budget = budgets.get(id);
  if (budget === undefined) return false;
  budget.used += 1;
  return budget.limit === undefined || budget.used <= budget.limit;
}
