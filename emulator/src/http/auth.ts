import { createMiddleware } from "hono/factory";
import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { emulatorConfig } from "../config";
import { ApiError } from "./errors";
import type { ApiEnv } from "./types";

/** Compares in constant time so the emulator does not teach clients to leak timing-sensitive code. */
function timingSafeEqualStrings(a: string, b: string): boolean {
  const enc = new TextEncoder();
  const left = enc.encode(a);
  const right = enc.encode(b);
  if (left.byteLength !== right.byteLength) {
    // Still compare, so the length check is not the only work done.
    crypto.subtle.timingSafeEqual(left, left);
    return false;
  }
  return crypto.subtle.timingSafeEqual(left, right);
}

/**
 * Bearer-token authentication as the real API answers it: no credentials is
 * 400/9106, a malformed Authorization header 400/6003 (chain 6111), an unknown
 * token 403/9109. Nothing behind this runs for a caller that fails it.
 */
export const authenticate = createMiddleware<ApiEnv>(async (c, next) => {
  const header = c.req.header("authorization");
  if (header === undefined && c.req.header("x-auth-key") === undefined) {
    throw new ApiError(400, ErrorCode.missingAuthHeaders, "Missing X-Auth-Key, X-Auth-Email or Authorization headers");
  }
  const match = /^Bearer ([\x21-\x7e]+)$/.exec(header ?? "");
  if (match === null) {
    throw new ApiError(400, ErrorCode.invalidRequestHeaders, "Invalid request headers", {
      error_chain: [{ code: ErrorCode.invalidAuthorizationFormat, message: "Invalid format for Authorization header" }],
    });
  }
  const token = match[1] as string;
  const known = emulatorConfig(c.env).EMULATOR_API_TOKEN.some((t) => timingSafeEqualStrings(t, token));
  if (!known) throw new ApiError(403, ErrorCode.invalidAccessToken, "Invalid access token");
  c.set("token", token);
  await next();
});
