import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { CloudflareApiError } from "../cloudflare/errors";
import { SCRIPT_REJECTED_CODES } from "../cloudflare/scripts";
import { LogsUnavailable } from "../logs/tail";
import type { OperationError } from "../registry/rows";

/** How a failed step goes on: tried again later, or given up at once. */
export type Failure = {
  readonly error: OperationError;
  /** False for an answer that will not change by asking again (a 4xx other than 429). */
  readonly retryable: boolean;
  /** The API asked us to wait this long (429 Retry-After). */
  readonly retryAfterMs: number | null;
};

/** The API refused the tenant's script: the answer the API gives is the user's to read. */
export const SCRIPT_REJECTED = "script_rejected";
/** The API refused a deployment of a version whose secrets differ from the latest version's (its 10220). */
export const SECRETS_CHANGED = "secrets_changed";

/**
 * A step that finds it cannot do what it was asked, whatever the API would say
 * (a tenant's Durable Object binding with the name of one of its vars): failed
 * at once, with `code` and a message meant for the operator.
 */
export class StepRefusal extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function failureOf(error: unknown): Failure {
  const at = new Date().toISOString();
  if (error instanceof StepRefusal) {
    return { error: { code: error.code, message: error.message, at }, retryable: false, retryAfterMs: null };
  }
  if (error instanceof LogsUnavailable) {
    // The tail Worker failing, or not reachable yet: worth asking again.
    return { error: { code: error.code, message: error.message, at }, retryable: true, retryAfterMs: null };
  }
  if (error instanceof CloudflareApiError) {
    if (error.hasCode(ErrorCode.secretsChangedSinceVersion)) {
      // Its message names the secrets ("The following secrets have changed: A, B"), never their values.
      return {
        error: { code: SECRETS_CHANGED, message: error.apiMessage ?? error.message, at },
        retryable: false,
        retryAfterMs: null,
      };
    }
    if (error.hasCode(...SCRIPT_REJECTED_CODES)) {
      return {
        error: { code: SCRIPT_REJECTED, message: error.apiMessage ?? error.message, at },
        retryable: false,
        retryAfterMs: null,
      };
    }
    return {
      error: { code: error.status === null ? "upstream_unreachable" : "upstream_error", message: error.message, at },
      retryable: error.isRetryable,
      retryAfterMs: error.retryAfterMs,
    };
  }
  // Our own storage (D1, R2, KV) failing, or a bug: retried like a transient
  // failure, so a blip does not fail a tenant, while a bug still ends after
  // the attempts run out.
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return { error: { code: "internal_error", message, at }, retryable: true, retryAfterMs: null };
}

/** Exponential backoff with full jitter, at least what the API asked for. */
export function backoffMs(
  attempt: number,
  policy: { baseMs: number; maxMs: number },
  retryAfterMs: number | null,
): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  const jittered = ceiling / 2 + Math.random() * (ceiling / 2);
  return Math.max(jittered, retryAfterMs ?? 0);
}
