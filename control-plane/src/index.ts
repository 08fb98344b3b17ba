import { Hono } from "hono";

/** The platform's tenant-onboarding API. */
const app = new Hono();

app.get("/health", (c) => c.json({ ok: true, service: "wfp-control-plane" }));

app.notFound((c) =>
  c.json({ error: { code: "not_found", message: `No route for ${c.req.method} ${new URL(c.req.url).pathname}` } }, 404),
);

export default app;
