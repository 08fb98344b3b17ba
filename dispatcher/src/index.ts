import { Hono } from "hono";

/**
 * The platform's front door. Every request that is not the platform's own
 * belongs to a tenant; until tenants can be resolved, none is found.
 */
const app = new Hono();

app.get("/__platform/health", (c) => c.json({ ok: true, service: "wfp-dispatcher" }));

app.notFound((c) => {
  const url = new URL(c.req.url);
  return c.json({ error: { code: "tenant_not_found", message: `No tenant serves ${url.host}${url.pathname}` } }, 404);
});

export default app;
