import { APIError } from "cloudflare/core/error";
import type { ApiMessage } from "../../../cloudflare-api/envelope";

/**
 * A Cloudflare API call that did not succeed: the API refused it (`status`
 * and the envelope's `errors`), or no answer came (`status` null: network
 * error or timeout). Messages are built from the operation, the status and
 * the API's own error messages only, never from request bodies or headers,
 * and anything secret the client knows (the API token) is blanked out of
 * them besides.
 */
export class CloudflareApiError extends Error {
  override readonly name = "CloudflareApiError";

  constructor(
    /** What was being done, e.g. `create R2 bucket t-acme-r2`. */
    readonly operation: string,
    /** HTTP status, or null when no answer came. */
    readonly status: number | null,
    /** The envelope's errors (empty when there was no envelope). */
    readonly errors: readonly { code: number; message: string }[],
    /** From a `Retry-After` header, when the answer had one. */
    readonly retryAfterMs: number | null,
    message: string,
  ) {
    super(message);
  }

  /** Worth sending again (if the call is idempotent): rate limited, a server-side failure, or no answer at all. */
  get isRetryable(): boolean {
    return this.status === null || this.status === 429 || this.status >= 500;
  }

  hasCode(...codes: number[]): boolean {
    return this.errors.some((error) => codes.includes(error.code));
  }

  /** The API's first error message: what to show a user (e.g. a script validation failure). */
  get apiMessage(): string | undefined {
    return this.errors[0]?.message;
  }
}

/** `Retry-After` in milliseconds: seconds, or an HTTP date. Null when absent or unreadable. */
export function retryAfterMsOf(headers: Headers | undefined, now = Date.now()): number | null {
  const value = headers?.get("retry-after");
  if (value === null || value === undefined || value.trim() === "") return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** What a message says in place of a secret. */
export const REDACTED = "[redacted]";

/** Blanks every secret out of a text. */
export function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret.length > 0) out = out.split(secret).join(REDACTED);
  return out;
}

function describe(status: number, errors: readonly ApiMessage[]): string {
  const details = errors.map((e) => `${e.code} ${e.message}`).join("; ");
  return details === "" ? `HTTP ${status}` : `HTTP ${status}: ${details}`;
}

/** The error for an answer that is not a success. */
export function apiErrorFromAnswer(
  operation: string,
  status: number,
  errors: readonly ApiMessage[],
  headers: Headers | undefined,
  secrets: readonly string[],
): CloudflareApiError {
  const cleaned = errors.map((e) => ({ code: e.code, message: scrub(e.message, secrets) }));
  const message = scrub(`${operation} failed: ${describe(status, cleaned)}`, secrets);
  return new CloudflareApiError(operation, status, cleaned, retryAfterMsOf(headers), message);
}

/** Of an answer's text, what an error message keeps. */
const MAX_ANSWER_TEXT = 500;

/**
 * The error for an answer that is not a success and not the v4 envelope (the
 * Analytics Engine SQL API answers its refusals as text): the text, cut short,
 * is its message and its one error.
 */
export function apiErrorFromText(
  operation: string,
  status: number,
  text: string,
  headers: Headers | undefined,
  secrets: readonly string[],
): CloudflareApiError {
  // Scrubbed before it is cut: a secret the cut went through would no longer match, and its first part would stay.
  const said = scrub(text.trim(), secrets).slice(0, MAX_ANSWER_TEXT);
  const message = scrub(`${operation} failed: HTTP ${status}${said === "" ? "" : `: ${said}`}`, secrets);
  const errors = said === "" ? [] : [{ code: status, message: said }];
  return new CloudflareApiError(operation, status, errors, retryAfterMsOf(headers), message);
}

/** The error for a call that got no answer (network failure, timeout). */
export function apiErrorWithoutAnswer(
  operation: string,
  reason: string,
  secrets: readonly string[],
): CloudflareApiError {
  return new CloudflareApiError(operation, null, [], null, scrub(`${operation} failed: ${reason}`, secrets));
}

function isApiMessageList(value: unknown): value is ApiMessage[] {
  return (
    Array.isArray(value) &&
    value.every(
      (e) => typeof e === "object" && e !== null && typeof e.code === "number" && typeof e.message === "string",
    )
  );
}

/**
 * Whatever an SDK call or a hand-built request threw, as a CloudflareApiError.
 * The SDK's own messages embed the whole answer body, so only its status,
 * headers and parsed `errors` are used.
 */
export function toCloudflareApiError(
  operation: string,
  error: unknown,
  secrets: readonly string[],
): CloudflareApiError {
  if (error instanceof CloudflareApiError) return error;
  if (error instanceof APIError) {
    if (error.status === undefined) {
      const timedOut = /timed? ?out/i.test(String(error.message));
      return apiErrorWithoutAnswer(
        operation,
        timedOut ? "no answer before the timeout" : "no answer (network error)",
        secrets,
      );
    }
    const errors = isApiMessageList(error.errors) ? error.errors : [];
    return apiErrorFromAnswer(operation, error.status, errors, error.headers, secrets);
  }
  const name = error instanceof Error ? error.name : "";
  const reason = name === "TimeoutError" ? "no answer before the timeout" : "no answer (network error)";
  return apiErrorWithoutAnswer(operation, reason, secrets);
}

/** Whether an error is the API answering with one of these codes ("already exists", "not found"). */
export const isApiError = (error: unknown, ...codes: number[]): error is CloudflareApiError =>
  error instanceof CloudflareApiError && error.hasCode(...codes);
