import type { Context, MiddlewareHandler } from "hono";
import { configOf } from "./config";
import type { AppEnv } from "./env";
import { AppError } from "./errors";

const encoder = new TextEncoder();
const sha256 = (text: string) => crypto.subtle.digest("SHA-256", encoder.encode(text));

/**
 * Compared as SHA-256 digests so both sides have the same length and
 * timingSafeEqual's time says nothing about the token's length or content.
 */
async function sameSecret(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(given), sha256(expected)]);
  return crypto.subtle.timingSafeEqual(a, b);
}

/** Lets through only `Authorization: Bearer <API_TOKEN>`; a missing or wrong token gets 401, never a hint. */
export const requireApiToken: MiddlewareHandler<AppEnv> = async (c, next) => {
  const expected = configOf(c.env).apiToken;
  // An unset secret is the deployment's fault, not the client's: nobody gets in.
  if (expected === "") {
    throw new AppError(503, "not_configured", "this endpoint needs the API_TOKEN secret, which is not set");
  }
  const match = /^Bearer (\S+)$/.exec(c.req.header("authorization") ?? "");
  if (match === null || !(await sameSecret(match[1] as string, expected))) {
    c.header("www-authenticate", 'Bearer realm="tenant"');
    throw new AppError(401, "unauthorized", "a valid bearer token is required");
  }
  await next();
};

/**
 * Guards every route that changes the tenant's data (`/kv`, `/files`,
 * `/notes`). By default a write needs the API_TOKEN as `/admin` does: a store
 * anyone can fill serves their content from the tenant's origin. A tenant that
 * wants anyone to write says so with `PUBLIC_WRITES = "true"`.
 */
export const requireWriteAccess: MiddlewareHandler<AppEnv> = async (c, next) => {
  const { publicWrites } = configOf(c.env);
  if (publicWrites === null) {
    throw new AppError(503, "not_configured", 'the PUBLIC_WRITES var must be "true" or "false"');
  }
  if (publicWrites) return next();
  return requireApiToken(c, next);
};

/**
 * For a connection that reads and may also write (a room's WebSocket): true
 * when requireWriteAccess would let the request through; false, read only,
 * when it sends no Authorization header at all. A token that is sent is
 * checked as requireWriteAccess checks it: a wrong one is a 401, not a
 * read-only connection, and a misconfiguration a 503.
 */
export async function mayWrite(c: Context<AppEnv>): Promise<boolean> {
  if (configOf(c.env).publicWrites === true) return true;
  if (c.req.header("authorization") === undefined) return false;
  let allowed = false;
  await requireWriteAccess(c, async () => {
    allowed = true;
  });
  return allowed;
}
