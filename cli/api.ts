import type { z } from "zod";
import { CustomHostnameView } from "../platform/custom-hostname-view.ts";
import { LogPage } from "../platform/tenant-logs.ts";
import {
  AssetsMissing,
  type AssetsMissingRequest,
  AssetsStored,
  type CreateDeploymentRequest,
  type CreateRolloutRequest,
  type CreateTenantRequest,
  type ListTenantsQuery,
  type PutScriptRequest,
  type PutSecretRequest,
  type RollbackRequest,
  RolloutView,
  type ScriptSource,
  TenantList,
  TenantView,
  type UpdateTenantRequest,
  VersionList,
} from "../platform/tenants-api.ts";
import { type Connection, callApi } from "./http.ts";

/**
 * The control plane's `/v1` endpoints, one function each. Bodies are typed by
 * the contract's input types; answers are parsed with its schemas. Every
 * mutating call answers 202 with the tenant as it now is: the work itself is
 * an operation the control plane runs afterwards (see wait.ts).
 */
export const tenantPath = (id: string) => `/v1/tenants/${encodeURIComponent(id)}`;

/** The part of a tenant `wfp hostnames` reads: its custom hostnames and their validation. */
export const TenantHostnames = TenantView.pick({ id: true, customHostnames: true });
export type TenantHostnames = z.infer<typeof TenantHostnames>;

export const api = {
  createTenant: (c: Connection, body: z.input<typeof CreateTenantRequest>) =>
    callApi(c, { method: "POST", path: "/v1/tenants", body }, TenantView),

  listTenants: (c: Connection, query: Partial<Record<keyof ListTenantsQuery, string>>) =>
    callApi(c, { method: "GET", path: "/v1/tenants", query }, TenantList),

  getTenant: (c: Connection, id: string) => callApi(c, { method: "GET", path: tenantPath(id) }, TenantView),

  getTenantHostnames: (c: Connection, id: string) =>
    callApi(c, { method: "GET", path: tenantPath(id) }, TenantHostnames),

  /** Asks Cloudflare to validate one of the tenant's own domains again; its view as it is now. */
  checkCustomHostname: (c: Connection, id: string, hostname: string) =>
    callApi(
      c,
      { method: "POST", path: `${tenantPath(id)}/custom-hostnames/${encodeURIComponent(hostname)}/check`, body: {} },
      CustomHostnameView,
    ),

  updateTenant: (c: Connection, id: string, body: UpdateTenantRequest) =>
    callApi(c, { method: "PATCH", path: tenantPath(id), body }, TenantView),

  deleteTenant: (c: Connection, id: string) => callApi(c, { method: "DELETE", path: tenantPath(id) }, TenantView),

  /** `deploy: false`: uploads a version without sending it traffic. */
  putScript: (c: Connection, id: string, body: ScriptSource | PutScriptRequest, options: { deploy?: boolean } = {}) =>
    callApi(
      c,
      {
        method: "PUT",
        path: `${tenantPath(id)}/script`,
        query: { deploy: options.deploy === false ? "false" : undefined },
        body,
      },
      TenantView,
    ),

  /** Which of these files (by hash) the platform does not hold yet. */
  missingAssets: (c: Connection, body: AssetsMissingRequest) =>
    callApi(c, { method: "POST", path: "/v1/assets/missing", body }, AssetsMissing),

  /** Files for the platform to hold: one part each, named by its hash, its filename its manifest path. */
  uploadAssets: (c: Connection, form: FormData) =>
    callApi(c, { method: "POST", path: "/v1/assets", body: form }, AssetsStored),

  listVersions: (c: Connection, id: string, query: { limit?: string; cursor?: string }) =>
    callApi(c, { method: "GET", path: `${tenantPath(id)}/versions`, query }, VersionList),

  createDeployment: (c: Connection, id: string, body: z.input<typeof CreateDeploymentRequest>) =>
    callApi(c, { method: "POST", path: `${tenantPath(id)}/deployments`, body }, TenantView),

  rollback: (c: Connection, id: string, body: z.input<typeof RollbackRequest>) =>
    callApi(c, { method: "POST", path: `${tenantPath(id)}/rollback`, body }, TenantView),

  putSecret: (c: Connection, id: string, name: string, body: PutSecretRequest) =>
    callApi(c, { method: "PUT", path: `${tenantPath(id)}/secrets/${encodeURIComponent(name)}`, body }, TenantView),

  deleteSecret: (c: Connection, id: string, name: string) =>
    callApi(c, { method: "DELETE", path: `${tenantPath(id)}/secrets/${encodeURIComponent(name)}` }, TenantView),

  getLogs: (c: Connection, id: string, query: { limit?: string; before?: string; outcome?: string }) =>
    callApi(c, { method: "GET", path: `${tenantPath(id)}/logs`, query }, LogPage),

  createRollout: (c: Connection, body: CreateRolloutRequest) =>
    callApi(c, { method: "POST", path: "/v1/rollouts", body }, RolloutView),

  getRollout: (c: Connection, id: string) =>
    callApi(c, { method: "GET", path: `/v1/rollouts/${encodeURIComponent(id)}` }, RolloutView),

  resumeRollout: (c: Connection, id: string) =>
    callApi(c, { method: "POST", path: `/v1/rollouts/${encodeURIComponent(id)}/resume`, body: {} }, RolloutView),

  rollBackRollout: (c: Connection, id: string) =>
    callApi(c, { method: "POST", path: `/v1/rollouts/${encodeURIComponent(id)}/rollback`, body: {} }, RolloutView),
};
