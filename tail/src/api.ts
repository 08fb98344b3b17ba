import { Hono } from "hono";
import { TenantId } from "../../platform/routes";
import { LogQuery } from "../../platform/tenant-logs";
import type { Env } from "./env";
import { tenantLogs } from "./filing";

export const HEALTH_PATH = "/__platform/health";

type ErrorCode = "invalid_request" | "not_found" | "upgrade_required" | "internal_error";

const error = (status: 400 | 404 | 426 | 500, code: ErrorCode, message: string, headers?: HeadersInit) =>
  Response.json({ error: { code, message } }, { status, ...(headers === undefined ? {} : { headers }) });

/** The tenant of the path, or the 400 that says why it is not one. */
function tenantOf(raw: string): { tenantId: string } | { response: Response } {
  const parsed = TenantId.safeParse(raw);
  if (parsed.success) return { tenantId: parsed.data };
  return { response: error(400, "invalid_request", `tenant: ${parsed.error.issues[0]?.message ?? "not a tenant id"}`) };
}

/**
 * The tail Worker's HTTP API, reached only through the control plane's
 * service binding (no public URL): a tenant's events, page by page or live,
 * and their removal. See ../README.md.
 */
export const api = new Hono<{ Bindings: Env }>();

api.get(HEALTH_PATH, (c) => c.json({ ok: true, service: "wfp-tail" }));

api.get("/tenants/:tenant/logs", async (c) => {
  const tenant = tenantOf(c.req.param("tenant"));
  if ("response" in tenant) return tenant.response;
  const query = LogQuery.safeParse(Object.fromEntries(new URL(c.req.url).searchParams));
  if (!query.success) {
    const issue = query.error.issues[0];
    const message = issue === undefined ? "invalid query" : `${issue.path.join(".") || "query"}: ${issue.message}`;
    return error(400, "invalid_request", message);
  }
  return c.json(await tenantLogs(c.env, tenant.tenantId).page(query.data));
});

api.get("/tenants/:tenant/logs/live", async (c) => {
  const tenant = tenantOf(c.req.param("tenant"));
  if ("response" in tenant) return tenant.response;
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    return error(426, "upgrade_required", "live logs are a WebSocket: send Upgrade: websocket", {
      upgrade: "websocket",
    });
  }
  return tenantLogs(c.env, tenant.tenantId).fetch(c.req.raw);
});

api.delete("/tenants/:tenant/logs", async (c) => {
  const tenant = tenantOf(c.req.param("tenant"));
  if ("response" in tenant) return tenant.response;
  await tenantLogs(c.env, tenant.tenantId).purge();
  return c.body(null, 204);
});

api.notFound((c) => error(404, "not_found", `no such route: ${c.req.method} ${new URL(c.req.url).pathname}`));

api.onError((err) => {
  console.error("tail: request failed:", err);
  return error(500, "internal_error", "the tail Worker could not answer");
});
