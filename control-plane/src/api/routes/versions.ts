import { OpenAPIHono } from "@hono/zod-openapi";
import { previewHostname } from "../../../../platform/routes";
import {
  CreateDeploymentRequest,
  ListVersionsQuery,
  RollbackRequest,
  TenantView,
  VersionList,
  type VersionView,
} from "../../../../platform/tenants-api";
import { type Config, configOf } from "../../config";
import type { TenantRow } from "../../registry/rows";
import { getTenant } from "../../registry/tenants";
import { listVersions, type VersionRow } from "../../registry/versions";
import { requestCreatedBy } from "../created-by";
import { ApiError } from "../errors";
import { conflictError, jsonBody, jsonContent, notFoundError, v1Route } from "../openapi-routes";
import type { AppEnv } from "../types";
import { answer, TenantParams, tenantObject } from "./tenants";

const listVersionsRoute = v1Route({
  method: "get",
  path: "/v1/tenants/{id}/versions",
  summary: "A tenant's versions",
  description:
    "Every version of the tenant's script, newest first, `limit` at a time (pass the answer's `cursor` for older ones; null on the last page). Each upload (`PUT …/script`, a PATCH of plan or vars, a rollout) and each secret change makes one. `percentage` is its share of the traffic now (0 when it is not in the active deployment); `previewUrl` is where it answers on its own, while it is in the active deployment (null otherwise: the API honours a version override only for a deployed version).",
  request: { params: TenantParams, query: ListVersionsQuery },
  responses: { 200: jsonContent(VersionList, "A page of versions."), ...notFoundError },
});

const createDeploymentRoute = v1Route({
  method: "post",
  path: "/v1/tenants/{id}/deployments",
  summary: "Deploy versions by percentage",
  description:
    "Sends the tenant's traffic to one or two of its versions, by percentage (summing to 100). While two share the traffic, each client is kept on one (the dispatcher's affinity cookie), and secret changes and PATCHes that upload again are refused (409) until one version has it all. Runs as an operation and waits a while for the API's verdict: a version whose secrets differ from the latest version's is a 409 `secrets_changed` naming them, unless `force`; one the API refuses otherwise is a 409 with its message.",
  request: { params: TenantParams, body: jsonBody(CreateDeploymentRequest, "The versions and their shares") },
  responses: {
    202: jsonContent(TenantView, "The tenant; `operation` is the deployment."),
    ...notFoundError,
    ...conflictError,
  },
});

const rollbackRoute = v1Route({
  method: "post",
  path: "/v1/tenants/{id}/rollback",
  summary: "Deploy an earlier version at 100%",
  description:
    "Deploys `versionId` to all the traffic; by default the version that had all the traffic before: during a gradual deployment, the one that had it before the split began; otherwise the one before the version leading now (409 when there is none). The tenant's data (KV, R2, D1, Durable Objects) is not touched; the version's own vars come back with it. A version whose secrets differ from the latest version's is a 409 `secrets_changed` naming them, unless `force` (it then runs with its own secrets).",
  request: { params: TenantParams, body: jsonBody(RollbackRequest, "Which version (optional)") },
  responses: {
    202: jsonContent(TenantView, "The tenant; `operation` is the rollback's deployment."),
    ...notFoundError,
    ...conflictError,
  },
});

async function requireTenant(env: AppEnv["Bindings"], id: string): Promise<TenantRow> {
  const tenant = await getTenant(env.DB, id);
  if (tenant === null || tenant.state === "deleted") throw new ApiError(404, "not_found", `no tenant "${id}"`);
  return tenant;
}

function versionView(config: Config, tenant: TenantRow, version: VersionRow): VersionView {
  const deployed = tenant.deployment.find((entry) => entry.id === version.id);
  return {
    id: version.id,
    number: version.number,
    createdAt: version.created_at,
    message: version.message,
    createdBy: version.created_by,
    percentage: deployed?.percentage ?? 0,
    previewUrl:
      deployed === undefined ? null : config.tenantUrl(previewHostname(version.id, tenant.id, config.platformDomain)),
  };
}

export const versionRoutes = new OpenAPIHono<AppEnv>()
  .openapi(listVersionsRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { cursor, limit } = c.req.valid("query");
    const tenant = await requireTenant(c.env, id);
    const rows = await listVersions(c.env.DB, id, {
      ...(cursor === undefined ? {} : { before: Number(cursor) }),
      limit,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const config = configOf(c.env);
    return c.json(
      {
        versions: page.map((version) => versionView(config, tenant, version)),
        // The cursor is the last version's number: the next page is older than it.
        cursor: rows.length > limit && last !== undefined ? String(last.number) : null,
      },
      200,
    );
  })
  .openapi(createDeploymentRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { versions, message, force } = c.req.valid("json");
    await requireTenant(c.env, id);
    const submission = await tenantObject(c.env, id).deployVersions(id, {
      versions,
      force,
      ...(message === undefined ? {} : { message }),
      createdBy: requestCreatedBy(c.req.header("user-agent")),
      wait: true,
    });
    return c.json(await answer(c.env, id, submission), 202);
  })
  .openapi(rollbackRoute, async (c) => {
    const { id } = c.req.valid("param");
    const { versionId, message, force } = c.req.valid("json");
    await requireTenant(c.env, id);
    const submission = await tenantObject(c.env, id).rollback(id, {
      ...(versionId === undefined ? {} : { versionId }),
      ...(message === undefined ? {} : { message }),
      force,
      createdBy: requestCreatedBy(c.req.header("user-agent")),
      wait: true,
    });
    return c.json(await answer(c.env, id, submission), 202);
  });
