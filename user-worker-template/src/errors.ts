import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The body of every error this Worker answers: `{ error: { code, message } }`. */
export type ErrorBody = { error: { code: string; message: string } };

/** An error a client caused or must know about: thrown anywhere, rendered by `renderError`. */
export class AppError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new AppError(404, "not_found", `${what} not found`);

export function errorResponse(c: Context, status: ContentfulStatusCode, code: string, message: string): Response {
  return c.json({ error: { code, message } } satisfies ErrorBody, status);
}

/** app.onError: the error as JSON; anything unexpected is a 500 that reveals nothing of its cause. */
export function renderError(error: Error, c: Context): Response {
  if (error instanceof AppError) return errorResponse(c, error.status, error.code, error.message);
  if (error instanceof HTTPException) {
    return errorResponse(c, error.status as ContentfulStatusCode, "http_error", error.message || "Request failed");
  }
  console.error("unexpected error:", error.message);
  return errorResponse(c, 500, "internal_error", "Internal error");
}

/** A handler for every method a path does not serve, after the ones it does (`.all(path, …)`). */
export function methodNotAllowed(allowed: readonly string[]) {
  return (c: Context) => {
    c.header("allow", allowed.join(", "));
    return errorResponse(c, 405, "method_not_allowed", `${c.req.method} is not allowed here`);
  };
}
