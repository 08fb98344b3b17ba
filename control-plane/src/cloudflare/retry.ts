import { CloudflareApiError } from "./errors";

/**
 * `idempotent`: sending it twice leaves the same state (GET, DELETE, the
 * script upload PUT, the settings PATCH, PUT secret/tags), so it may be sent
 * again after a failure. `once`: a create (POST) or a query, which a blind
 * resend could apply twice; a failure other than a 429 is handed back, and
 * the caller's next attempt creates again and takes "already exists" as done
 * (find-or-create.ts), or reads what a query did before sending the rest.
 */
export type CallKind = "idempotent" | "once";

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** Backoff before attempt n+1: up to `baseDelayMs * 2^n` (full jitter), at most `maxDelayMs`. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { attempts: 4, baseDelayMs: 250, maxDelayMs: 10_000 };

export const sleep = (ms: number): Promise<void> =>
  ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));

/** How long to wait before attempt `attempt + 1`: Retry-After when the API gave one, else exponential backoff with full jitter. */
export function backoffMs(
  policy: RetryPolicy,
  attempt: number,
  retryAfterMs: number | null,
  random = Math.random,
): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  const jittered = Math.floor(random() * ceiling);
  return retryAfterMs === null ? jittered : Math.max(retryAfterMs, jittered);
}

/**
 * Runs `call`, and for an idempotent call runs it again after a retryable
 * failure (429, 5xx, no answer), up to the policy's attempts. A `once` call
 * is sent again only after a 429: the API refuses a rate-limited call before
 * doing anything, so resending it cannot apply it twice; after any other
 * failure it is handed back.
 */
export async function withRetries<T>(
  kind: CallKind,
  policy: RetryPolicy,
  call: () => Promise<T>,
  wait: (ms: number) => Promise<void> = sleep,
): Promise<T> {
  const attempts = Math.max(1, policy.attempts);
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const retryable =
        error instanceof CloudflareApiError && (kind === "idempotent" ? error.isRetryable : error.status === 429);
      if (!retryable || attempt + 1 >= attempts) throw error;
      await wait(backoffMs(policy, attempt, error.retryAfterMs));
    }
  }
}
