import { Hono } from "hono";
import { configOf } from "../config";
import { type AppEnv, TENANT_HEADER } from "../env";
import { methodNotAllowed } from "../errors";

/** `GET /`: the GREETING var and the tenant this Worker runs for (null outside the platform). */
export const greeting = new Hono<AppEnv>()
  .get("/", (c) => c.json({ greeting: configOf(c.env).greeting, tenant: c.req.header(TENANT_HEADER) ?? null }))
  .all("/", methodNotAllowed(["GET", "HEAD"]));
