import { bodyLimit } from "hono/body-limit";
import { createMiddleware } from "hono/factory";
import type { MiddlewareHandler } from "hono/types";
import { MAX_SCRIPT_UPLOAD_BYTES } from "../../../cloudflare-api/names";
import { ASSETS_UPLOAD_PATH, limitAssetsBody, requireMultipartBody } from "./assets-body";
import { ApiError } from "./errors";
import type { AppEnv } from "./types";

/** Room for 10 MiB of modules plus their JSON escaping (or base64, a third more) and the rest of the body. */
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
 * The bodies of /v1 routes: JSON within MAX_BODY_BYTES, except the asset files' multipart upload,
 * which has its own limit and checks (assets-body.ts).
 */
export const requireBody = createMiddleware<AppEnv>(async (c, next) => {
  const [limit, check]: [MiddlewareHandler<AppEnv>, MiddlewareHandler<AppEnv>] =
    new URL(c.req.url).pathname === ASSETS_UPLOAD_PATH
      ? [limitAssetsBody, requireMultipartBody]
      : [limitBody, requireJsonBody];
  // Both throw their refusals (ApiError), so neither answers a response of its own.
  await limit(c, async () => {
    await check(c, next);
  });
});

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
  let body: unknown;
  try {
    body = await c.req.json();
  } catch (error) {
    const reason = error instanceof Error ? error.message : "unreadable";
    throw new ApiError(400, "invalid_request", `the body is not valid JSON: ${reason}`);
  }
  const proto = protoKeyPath(body);
  if (proto !== null) {
    const message = "__proto__ cannot be a name: it is JavaScript's prototype";
    throw new ApiError(400, "invalid_request", `${proto}: ${message}`, [{ path: proto, message }]);
  }
  return next();
});

/**
 * Where the body has a `__proto__` key, if anywhere. JSON.parse keeps it as a
 * key of its own, but zod skips it silently when it parses a record (and an
 * assignment would set the prototype instead), so a var or secret of that
 * name would be dropped with a 202: it is refused here, by name.
 */
function protoKeyPath(body: unknown): string | null {
  // A stack, not recursion: a deeply nested body must not overflow the call stack.
  const stack: { value: unknown; path: string[] }[] = [{ value: body, path: [] }];
  for (let item = stack.pop(); item !== undefined; item = stack.pop()) {
    if (typeof item.value !== "object" || item.value === null) continue;
    for (const [key, child] of Object.entries(item.value)) {
      if (key === "__proto__") return [...item.path, key].join(".");
      stack.push({ value: child, path: [...item.path, key] });
    }
  }
  return null;
}
