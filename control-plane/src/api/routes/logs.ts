import { OpenAPIHono } from "@hono/zod-openapi";
import { LogPage, LogQuery } from "../../../../platform/tenant-logs";
import { ErrorBody } from "../../../../platform/tenants-api";
import { tenantResourceNames } from "../../cloudflare/names";
import type { Env } from "../../env";
import { LogsUnavailable, openLiveLogs, readLogPage } from "../../logs/tail";
import { getTenant } from "../../registry/tenants";
import { ApiError } from "../errors";
import { jsonContent, notFoundError, v1Route } from "../openapi-routes";
import type { AppEnv } from "../types";
import { TenantParams } from "./tenants";

/**
 * A tenant's logs, kept by the tail Worker (src/logs/tail.ts): a page of them, or a WebSocket
 * that carries them as they happen. Only for the operators (the /v1 token), and only ever the
 * events of the tenant the URL names, once the registry knows it (a deleted tenant has none).
 */

const logsUnavailableError = {
  502: jsonContent(
    ErrorBody,
    "The logs service (the tail Worker) failed or answered outside its contract: `logs_unavailable`.",
  ),
} as const;

const getLogsRoute = v1Route({
  method: "get",
  path: "/v1/tenants/{id}/logs",
  summary: "Read a tenant's logs",
  description:
    "The tenant's Worker invocations (its console lines, uncaught exceptions, the request and its outcome), newest first, `limit` at a time; pass the answer's `next` as `before` for the next page (null on the last). `outcome` keeps only the events with that outcome. Errors of the platform itself are not in a tenant's logs.",
  request: { params: TenantParams, query: LogQuery },
  responses: {
    200: jsonContent(LogPage, "A page of events, newest first."),
    ...notFoundError,
    ...logsUnavailableError,
  },
});

const liveLogsRoute = v1Route({
  method: "get",
  path: "/v1/tenants/{id}/logs/live",
  summary: "Follow a tenant's logs live (WebSocket)",
  description:
    "A WebSocket (send `Upgrade: websocket`, and the bearer token in `Authorization` as on every /v1 call): each text message is one event, as `events[]` of the page has it, sent as it happens. Nothing is sent back.",
  request: { params: TenantParams },
  responses: {
    101: { description: "Switching protocols: the WebSocket of the tenant's events." },
    ...notFoundError,
    426: jsonContent(ErrorBody, "Not a WebSocket request (`Upgrade: websocket` is needed): `upgrade_required`."),
    ...logsUnavailableError,
  },
});

/** The tenant's script name, once the registry shows the tenant exists (and is not deleted). */
async function scriptOf(env: Env, id: string): Promise<string> {
  const tenant = await getTenant(env.DB, id);
  if (tenant === null || tenant.state === "deleted") throw new ApiError(404, "not_found", `no tenant "${id}"`);
  return tenantResourceNames(tenant.id).script;
}

/** The tail Worker's failure as the API's 502; its own text stays out of the answer. */
async function fromTail<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof LogsUnavailable) throw new ApiError(502, "logs_unavailable", error.message);
    throw error;
  }
}

export const logRoutes = new OpenAPIHono<AppEnv>()
  .openapi(getLogsRoute, async (c) => {
    const { id } = c.req.valid("param");
    const query = c.req.valid("query");
    const script = await scriptOf(c.env, id);
    return c.json(await fromTail(() => readLogPage(c.env.LOGS, script, query)), 200);
  })
  .openapi(liveLogsRoute, async (c) => {
    const { id } = c.req.valid("param");
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      throw new ApiError(426, "upgrade_required", "this is a WebSocket: send Upgrade: websocket");
    }
    const script = await scriptOf(c.env, id);
    return fromTail(() => openLiveLogs(c.env.LOGS, script));
  });
