import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import type { ErrorBody, ErrorCode } from "../../../platform/tenants-api";

type Detail = NonNullable<ErrorBody["error"]["details"]>[number];

/** Thrown anywhere in a handler; rendered by `renderError` as the API's one error shape. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly details?: Detail[],
  ) {
    super(message);
  }
}

export function errorResponse(c: Context, error: ApiError): Response {
  const body: ErrorBody = {
    error: {
      code: error.code,
      message: error.message,
      ...(error.details === undefined ? {} : { details: error.details }),
    },
  };
  return c.json(body, error.status);
}

/** Each problem with its field: `hostnames.1: "x" is not a hostname`. */
export function detailsOf(error: z.ZodError, root?: string): Detail[] {
  return error.issues.map((issue) => ({
    path: [...(root === undefined ? [] : [root]), ...issue.path.map(String)].join(".") || "(body)",
    message: issue.message,
  }));
}

export function invalidRequest(error: z.ZodError, root?: string): ApiError {
  const details = detailsOf(error, root);
  const first = details[0];
  const message = first === undefined ? "invalid request" : `${first.path}: ${first.message}`;
  return new ApiError(400, "invalid_request", message, details);
}
