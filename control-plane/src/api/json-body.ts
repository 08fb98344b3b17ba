import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import { MAX_SCRIPT_UPLOAD_BYTES } from "../../../cloudflare-api/names";
import { ApiError } from "./errors";
import type { AppEnv } from "./types";

/** Room for 10 MiB of modules plus their JSON escaping and the rest of the body. */
export const MAX_BODY_BYTES = 2 * MAX_SCRIPT_UPLOAD_BYTES;

const tooLarge = (): never => {
  throw new ApiError(413, "payload_too_large", `the body is larger than the limit of ${MAX_BODY_BYTES} bytes`);
};

/**
 * Counts a body's bytes as they arrive and refuses it (413) once it passes the
 * limit, whether it declares a Content-Length or comes chunked: a chunked body
 * is never read past the limit. Hono's middleware does the counting.
 */
export const limitBody = bodyLimit({ maxSize: MAX_BODY_BYTES, onError: tooLarge });

/**
 * Bodies are JSON: a body with another content type, or that does not parse,
 * is refused here with what is wrong, before any route sees it. The parsed
 * body is cached by Hono, so the route's validator reads it without a second parse.
 */
export const requireJsonBody = createMiddleware<AppEnv>(async (c, next) => {
  if (!["POST", "PUT", "PATCH"].includes(c.req.method)) return next();
  const type = c.req.header("content-type") ?? "";
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    throw new ApiError(
      400,
      "invalid_request",
      `the body must be JSON (Content-Type: application/json), not "${type || "none"}"`,
    );
  }
  try {
    await c.req.json();
  } catch (error) {
    const reason = error instanceof Error ? error.message : "unreadable";
    throw new ApiError(400, "invalid_request", `the body is not valid JSON: ${reason}`);
  }
  return next();
});
