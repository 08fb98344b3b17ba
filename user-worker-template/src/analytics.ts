import type { MiddlewareHandler } from "hono";
import { type AppEnv, TENANT_HEADER } from "./env";

/** Analytics Engine refuses blobs over 16 KiB in all; a path is cut well short of that. */
const MAX_PATH_CHARS = 1024;

/**
 * One Analytics Engine data point per request, errors included (Hono has
 * already turned a thrown error into the response when `next()` returns):
 * blobs [path, method, tenant], doubles [status, milliseconds].
 */
export const recordRequest: MiddlewareHandler<AppEnv> = async (c, next) => {
  const started = Date.now();
  await next();
  c.env.ANALYTICS.writeDataPoint({
    blobs: [new URL(c.req.url).pathname.slice(0, MAX_PATH_CHARS), c.req.method, c.req.header(TENANT_HEADER) ?? ""],
    doubles: [c.res.status, Date.now() - started],
  });
};
