import { createMiddleware } from "hono/factory";
import { timingSafeEqual } from "hono/utils/buffer";
import { configOf } from "../config";
import { ApiError, errorResponse } from "./errors";
import type { AppEnv } from "./types";

const unauthorized = (message: string) => new ApiError(401, "unauthorized", message);

/**
 * `Authorization: Bearer <PLATFORM_API_TOKEN>`, compared in constant time
 * (hono's timingSafeEqual compares digests, so not even the length leaks).
 * Every failure is a 401 that says what was wrong, never what was expected.
 */
export const requirePlatformToken = createMiddleware<AppEnv>(async (c, next) => {
  const expected = configOf(c.env).platformApiToken;
  const header = c.req.header("authorization");
  const fail = (message: string) => {
    c.header("WWW-Authenticate", 'Bearer realm="wfp-control-plane"');
    return errorResponse(c, unauthorized(message));
  };
  if (expected === "") return fail("the control plane has no PLATFORM_API_TOKEN set");
  if (header === undefined) return fail("missing Authorization header: send Authorization: Bearer <token>");
  const match = /^Bearer +(\S+)\s*$/i.exec(header);
  if (match === null) return fail("the Authorization header must be: Bearer <token>");
  if (!(await timingSafeEqual(match[1] as string, expected))) return fail("invalid API token");
  await next();
});
