import { Hono } from "hono";
import { requireApiToken } from "../auth";
import { type AppEnv, TENANT_HEADER } from "../env";
import { methodNotAllowed } from "../errors";

/** `/admin/*`: for the tenant's own operators, behind the API_TOKEN secret. */
export const admin = new Hono<AppEnv>()
  .use("*", requireApiToken)
  .get("/summary", async (c) => {
    const row = await c.env.DB.prepare("SELECT COUNT(*) AS count FROM notes").first<{ count: number }>();
    return c.json({ tenant: c.req.header(TENANT_HEADER) ?? null, notes: row?.count ?? 0 });
  })
  .all("/summary", methodNotAllowed(["GET", "HEAD"]));
