import { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { TENANT_ID } from "../../../../platform/routes";
import {
  CreateTenantRequest,
  ListTenantsQuery,
  PutScriptQuery,
  PutScriptRequest,
  PutSecretRequest,
  type ScriptSource,
  TenantList,
  type TenantScriptSource,
  TenantView,
  UpdateTenantRequest,
  UserBindingName,
} from "../../../../platform/tenants-api";
import { requireStoredAssets } from "../../assets/manifest-check";
import { tenantResourceNames } from "../../cloudflare/names";
import { configOf } from "../../config";
import type { Env } from "../../env";
import type { Submission } from "../../operations/admission";
import { durableObjectMigration } from "../../operations/tenant-script";
import { hostnameClaims } from "../../registry/hostnames";
import type { TenantRow } from "../../registry/rows";
import { getTenant, listTenants } from "../../registry/tenants";
import { acceptedLately } from "../../scripts/accepted-code";
import { storeBundle } from "../../scripts/bundles";
import { leaveTurn } from "../changes-in-turn";
import { requestCreatedBy } from "../created-by";
import { requestDigest } from "../digest";
import { ApiError } from "../errors";
import { checkHostnames } from "../hostname-rules";
import {
  conflictError,
  jsonBody,
  jsonContent,
  notFoundError,
  rejectedError,
  tooLargeError,
  v1Route,
} from "../openapi-routes";
import type { AppEnv } from "../types";
import { tenantViewById, tenantViews } from "../views";
import { refuseTakenOnZone } from "../zone-hostnames";

export const TenantParams = z.object({ id: z.string().regex(TENANT_ID, "not a tenant id") });
const SecretParams = TenantParams.extend({ name: UserBindingName });

export const tenantObject = (env: Env, id: string) => env.TENANT_OPERATIONS.get(env.TENANT_OPERATIONS.idFromName(id));

/** The tenant as it is now, with the answer's status; or the submission's refusal as an error. */
export async function answer(env: Env, id: string, submission: Submission) {
  if (!submission.ok) {
    throw new ApiError(submission.status, submission.code, submission.message, submission.details);
  }
  const view = await tenantViewById(env.DB, configOf(env), id);
  if (view === null) throw new ApiError(404, "not_found", `no tenant "${id}"`);
  return view;
}

/** Tenant ids equal to the first label of one of the platform's own hostnames would shadow it. */
function refuseShadowingId(id: string, platformHosts: readonly string[]) {
  if (platformHosts.some((host) => host.split(".")[0] === id)) {
    throw new ApiError(400, "invalid_request", `id: "${id}" is reserved for the platform`, [
      { path: "id", message: "this tenant id is reserved for the platform" },
    ]);
  }
}

const createTenant = v1Route({
  method: "post",
  path: "/v1/tenants",
  summary: "Onboard a tenant",
  description:
    "Records the tenant and starts provisioning its KV namespace, R2 bucket and D1 database, uploading its script with them bound, and routing its hostnames. Answers 202 with the tenant in state `provisioning`; poll GET until `active` (or `failed`). The same request again is harmless and returns the same tenant. With a script, the request waits for the API's check of it first (unless the API accepted the same code at the same compatibility date lately): a script the API refuses is a 422, and nothing is created. A hostname outside the platform's domain becomes a custom hostname on the platform's zone (Cloudflare for SaaS): one the Cloudflare API never takes as such (an IP address, a reserved top-level domain such as `.test` or `.example`, a wildcard) is a 400, and one the zone already has for someone else a 409 `hostname_taken`. `script.crons` (cron expressions, UTC, as Cloudflare's Cron Triggers take them) are set on the script once it is uploaded; an expression Cloudflare refuses, one listed twice, or more than the plan allows is a 400 naming the field (`script.crons.1`, `script.crons`). `script.assets` is the script's static assets (`{manifest, htmlHandling?, notFoundHandling?, runWorkerFirst?}`, bound as `ASSETS`): every file of the manifest must have been sent to POST /v1/assets first, else a 400 `assets_missing` naming the first paths missing; absent or null, it has none.",
  request: { body: jsonBody(CreateTenantRequest, "The tenant") },
  responses: {
    202: jsonContent(TenantView, "The tenant, provisioning (or as it is now, for a repeated request)."),
    ...conflictError,
    ...tooLargeError,
    ...rejectedError,
  },
});

const listTenantsRoute = v1Route({
  method: "get",
  path: "/v1/tenants",
  summary: "List tenants",
  description:
    "In id order, `limit` at a time; pass the answer's `cursor` for the next page (null on the last), with the same filters. `state` and `plan` narrow the list to those; `q` to the tenants whose id starts with it (a range of the id index, whatever the number of tenants).",
  request: { query: ListTenantsQuery },
  responses: { 200: jsonContent(TenantList, "A page of tenants.") },
});

const getTenantRoute = v1Route({
  method: "get",
  path: "/v1/tenants/{id}",
  summary: "Get a tenant",
  request: { params: TenantParams },
  responses: { 200: jsonContent(TenantView, "The tenant."), ...notFoundError },
});

const updateTenantRoute = v1Route({
  method: "patch",
  path: "/v1/tenants/{id}",
  summary: "Change a tenant's plan, hostnames, vars, or suspend it",
  description:
    "The routes follow (the dispatcher sees them within its cache TTL), and the script is uploaded again when the plan or the vars change. A plan that allows fewer cron triggers than the tenant's script has is a 409. `hostnames` is the whole new list of custom hostnames; one it adds is refused as on POST (400 for a name the Cloudflare API never takes as a custom hostname, 409 `hostname_taken` for one another tenant has or the platform's zone has for someone else). A re-upload the API refuses is a 422 `script_rejected`; one while the tenant is deploying two versions a 409.",
  request: { params: TenantParams, body: jsonBody(UpdateTenantRequest, "What to change") },
  responses: {
    202: jsonContent(TenantView, "The tenant, with the change queued."),
    ...notFoundError,
    ...conflictError,
    ...rejectedError,
  },
});

const deleteTenantRoute = v1Route({
  method: "delete",
  path: "/v1/tenants/{id}",
  summary: "Delete a tenant",
  description:
    "Removes its script, routes, KV namespace, R2 bucket (emptied first) and D1 database; the tenant ends `deleted`.",
  request: { params: TenantParams },
  responses: { 202: jsonContent(TenantView, "The tenant, `deleting`."), ...notFoundError },
});

const putScriptRoute = v1Route({
  method: "put",
  path: "/v1/tenants/{id}/script",
  summary: "Deploy new code",
  description:
    "Uploads the script with the tenant's bindings, vars and secrets kept, after applying its new D1 migrations. Every upload is a new version (`message` notes it; see GET …/versions). With `?deploy=false` the version is uploaded without deploying it: it joins the deployment at 0%, beside the live version at 100% (replacing a version staged so before), so its preview URL answers while the traffic stays where it was; such a script cannot create or delete Durable Object classes (409), and the tenant must have one version serving all its traffic (409 otherwise). Its D1 migrations are applied all the same (the database is shared by both versions). `durableObjects` is the script's whole set of Durable Object bindings: a class bound for the first time is created; a class the tenant has that no binding names any more is kept with its data, unless `deletedDurableObjectClasses` lists it (which deletes its objects and their data). A binding named like one of the tenant's vars or secrets, or a class to delete the tenant does not have, is a 400. Waits for the upload (a while): a script the API refuses (a bound class its main module does not export, too) is a 422 and the tenant keeps its current code. `crons` is the script's whole list of cron triggers (UTC), set after the upload, as `wrangler deploy` treats `[triggers] crons`: absent, the tenant's crons stay as they are; `[]` removes them all. An expression Cloudflare refuses, or one listed twice, is a 400 naming it (`crons.1`); more than the tenant's plan allows (or the plan a queued PATCH moves it to) a 400 naming `crons`; crons with `deploy=false` a 400 (they run the deployed version). `assets` is the script's static assets (`{manifest, htmlHandling?, notFoundHandling?, runWorkerFirst?}`, bound as `ASSETS`): every file of the manifest must have been sent to POST /v1/assets first, else a 400 `assets_missing` naming the first paths missing; absent, the Worker keeps the assets it has; null, it has none.",
  request: { params: TenantParams, query: PutScriptQuery, body: jsonBody(PutScriptRequest, "The code") },
  responses: {
    202: jsonContent(TenantView, "The tenant; `operation` is the deploy."),
    ...notFoundError,
    ...conflictError,
    ...tooLargeError,
    ...rejectedError,
  },
});

const putSecretRoute = v1Route({
  method: "put",
  path: "/v1/tenants/{id}/secrets/{name}",
  summary: "Set a secret",
  description: "The script reads it as `env.<name>`. The value is never returned, logged or put in an error.",
  request: { params: SecretParams, body: jsonBody(PutSecretRequest, "The value") },
  responses: {
    202: jsonContent(TenantView, "The tenant; `secrets` lists the name."),
    ...notFoundError,
    ...conflictError,
  },
});

const deleteSecretRoute = v1Route({
  method: "delete",
  path: "/v1/tenants/{id}/secrets/{name}",
  summary: "Remove a secret",
  description:
    "A 409 while the tenant is deploying two versions (sharing the traffic, or one staged with `?deploy=false`), or when its latest version is not the one deployed: the API changes the latest version's secrets only.",
  request: { params: SecretParams },
  responses: { 202: jsonContent(TenantView, "The tenant."), ...notFoundError, ...conflictError },
});

export const tenantRoutes = new OpenAPIHono<AppEnv>()
  .openapi(createTenant, async (c) => {
    const body = c.req.valid("json");
    const config = configOf(c.env);
    refuseShadowingId(body.id, config.platformHosts);
    const hostnames = checkHostnames(body.hostnames, body.id, config);
    await refuseTakenOnZone(c.env, config, body.id, hostnames);
    const crons = body.script?.crons;
    const assets = body.script?.assets;
    if (assets) await requireStoredAssets(c.env.DB, assets.manifest, "script.assets.manifest");
    const scriptKey = body.script === undefined ? null : await storeBundle(c.env.SCRIPTS, codeOf(body.script));
    const compatibilityDate = body.script?.compatibilityDate ?? config.tenantCompatibilityDate;
    // A template's code, mostly: the API's answer is known, so the request does not wait for a check.
    const scriptAccepted =
      scriptKey !== null &&
      (await acceptedLately(c.env.SCRIPTS, scriptKey, compatibilityDate, config.scriptCheckReuseMs));
    const tenant = tenantObject(c.env, body.id);
    const created = await tenant.create({
      tenant: {
        id: body.id,
        plan: body.plan,
        requestDigest: await requestDigest(config.platformApiToken, body),
        wanted: body.resources,
        scriptName: tenantResourceNames(body.id).script,
        scriptKey,
        compatibilityDate,
        vars: body.vars,
      },
      hostnames,
      secrets: body.secrets,
      ...(crons === undefined ? {} : { crons }),
      createdBy: requestCreatedBy(c.req.header("user-agent")),
      scriptAccepted,
    });
    // Recorded: the rest is the wait for the API's check, which takes no turn.
    leaveTurn(c);
    if (created.ok && created.replayed !== true && scriptKey !== null && !scriptAccepted) {
      const verdict = await tenant.verdict({ ok: true, operationId: created.operationId });
      return c.json(await answer(c.env, body.id, verdict), 202);
    }
    // Nothing to wait for: the answer is the tenant as the batch that recorded it read it back.
    return c.json(created.view ?? (await answer(c.env, body.id, created)), 202);
  })
  .openapi(listTenantsRoute, async (c) => {
    const query = c.req.valid("query");
    const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    const rows = await listTenants(c.env.DB, {
      state: query.state,
      plan: query.plan,
      prefix: query.q,
      after,
      limit: query.limit,
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    const cursor = rows.length > query.limit && last !== undefined ? encodeCursor(last.id) : null;
    return c.json({ tenants: await tenantViews(c.env.DB, configOf(c.env), page), cursor }, 200);
  })
  .openapi(getTenantRoute, async (c) => {
    const { id } = c.req.valid("param");
    const view = await tenantViewById(c.env.DB, configOf(c.env), id);
    if (view === null) throw new ApiError(404, "not_found", `no tenant "${id}"`);
    return c.json(view, 200);
  })
  .openapi(updateTenantRoute, async (c) => {
    const { id } = c.req.valid("param");
    const change = c.req.valid("json");
    const config = configOf(c.env);
    const hostnames = change.hostnames === undefined ? undefined : checkHostnames(change.hostnames, id, config);
    if (hostnames !== undefined) await refuseTakenOnZone(c.env, config, id, await addedHostnames(c.env, id, hostnames));
    const submission = await tenantObject(c.env, id).update(id, { ...change, hostnames });
    return c.json(await answer(c.env, id, submission), 202);
  })
  .openapi(deleteTenantRoute, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await answer(c.env, id, await tenantObject(c.env, id).remove(id)), 202);
  })
  .openapi(putScriptRoute, async (c) => {
    const { id } = c.req.valid("param");
    const tenant = await getTenant(c.env.DB, id);
    if (tenant === null || tenant.state === "deleted") throw new ApiError(404, "not_found", `no tenant "${id}"`);
    const { message, crons, ...script } = c.req.valid("json");
    const deploy = c.req.valid("query").deploy === "true";
    if (!deploy && crons !== undefined) refuseUndeployedCrons();
    refuseDurableObjectsOf(script, tenant);
    if (!deploy) refuseUndeployedMigration(script, tenant);
    if (script.assets) await requireStoredAssets(c.env.DB, script.assets.manifest, "assets.manifest");
    const scriptKey = await storeBundle(c.env.SCRIPTS, script);
    const submission = await tenantObject(c.env, id).deploy(id, scriptKey, {
      wait: true,
      deploy,
      ...(crons === undefined ? {} : { crons }),
      ...(message === undefined ? {} : { message }),
      createdBy: requestCreatedBy(c.req.header("user-agent")),
    });
    return c.json(await answer(c.env, id, submission), 202);
  })
  .openapi(putSecretRoute, async (c) => {
    const { id, name } = c.req.valid("param");
    const tenant = await getTenant(c.env.DB, id);
    if (tenant !== null && Object.hasOwn(tenant.vars, name)) {
      throw new ApiError(409, "conflict", `"${name}" is one of the tenant's vars`);
    }
    if (tenant !== null && Object.hasOwn(tenant.durable_object_bindings, name)) {
      throw new ApiError(409, "conflict", `"${name}" is one of the script's Durable Object bindings`);
    }
    const { value } = c.req.valid("json");
    return c.json(await answer(c.env, id, await tenantObject(c.env, id).putSecret(id, name, value)), 202);
  })
  .openapi(deleteSecretRoute, async (c) => {
    const { id, name } = c.req.valid("param");
    return c.json(await answer(c.env, id, await tenantObject(c.env, id).deleteSecret(id, name)), 202);
  });

/**
 * What only the tenant can tell of a script's Durable Objects, a 400 naming
 * each field: a binding named like one of its vars or secrets, a class to
 * delete that it does not have. (A class listed whose deletion is still
 * queued, or a var queued by a PATCH, is caught when the upload runs.)
 */
function refuseDurableObjectsOf(script: ScriptSource, tenant: TenantRow): void {
  const details: { path: string; message: string }[] = [];
  for (const name of Object.keys(script.durableObjects ?? {})) {
    const clash = Object.hasOwn(tenant.vars, name) ? "var" : tenant.secret_names.includes(name) ? "secret" : null;
    if (clash !== null) {
      details.push({
        path: `durableObjects.${name}`,
        message: `"${name}" is one of the tenant's ${clash}s: a Durable Object binding needs a name of its own`,
      });
    }
  }
  (script.deletedDurableObjectClasses ?? []).forEach((className, index) => {
    if (!tenant.durable_object_classes.includes(className)) {
      const has = tenant.durable_object_classes.join(", ") || "none";
      details.push({
        path: `deletedDurableObjectClasses.${index}`,
        message: `"${className}" is not a Durable Object class of the tenant (it has: ${has})`,
      });
    }
  });
  const [first] = details;
  if (first !== undefined) throw new ApiError(400, "invalid_request", `${first.path}: ${first.message}`, details);
}

/**
 * A version uploaded without deploying it cannot carry a Durable Object
 * migration (the API takes one only with an upload that deploys): a script
 * that would create or delete a class is a 409 saying to deploy it. (Checked
 * again when the upload runs, against the classes the tenant has by then.)
 */
function refuseUndeployedMigration(script: ScriptSource, tenant: TenantRow): void {
  const change = durableObjectMigration(tenant, script, crypto.randomUUID());
  if (change.migrations === undefined) return;
  const created = change.migrations.new_sqlite_classes ?? [];
  const deleted = change.migrations.deleted_classes ?? [];
  const what = [
    ...(created.length === 0 ? [] : [`creates ${created.join(", ")}`]),
    ...(deleted.length === 0 ? [] : [`deletes ${deleted.join(", ")}`]),
  ].join(" and ");
  throw new ApiError(
    409,
    "conflict",
    `the script ${what} (Durable Object classes): only a deploy can migrate classes, so it cannot be uploaded with deploy=false`,
  );
}

/** The script's code: its crons are its triggers, set by their own step, not part of a version's bundle. */
const codeOf = ({ crons: _crons, ...code }: TenantScriptSource): ScriptSource => code;

/**
 * Cron triggers run the script's deployed version: they go with a deploy, never with a version
 * uploaded without one (as `wrangler versions upload` leaves triggers to `wrangler triggers deploy`).
 */
function refuseUndeployedCrons(): never {
  const message = "cron triggers run the deployed version: send them with a deploy, not with deploy=false";
  throw new ApiError(400, "invalid_request", `crons: ${message}`, [{ path: "crons", message }]);
}

/** The hostnames a PATCH adds: those the tenant does not hold (none for a tenant that is not there: a 404 follows). */
async function addedHostnames(env: Env, id: string, hostnames: readonly string[]): Promise<string[]> {
  const tenant = await getTenant(env.DB, id);
  if (tenant === null || tenant.state === "deleted") return [];
  const held = new Set((await hostnameClaims(env.DB, id)).map((claim) => claim.hostname));
  return hostnames.filter((hostname) => !held.has(hostname));
}

/** Cursors are opaque to clients: the last id of the page, encoded. */
function encodeCursor(id: string): string {
  return btoa(id).replace(/=+$/, "");
}

function decodeCursor(cursor: string): string {
  try {
    const id = atob(cursor);
    if (TENANT_ID.test(id)) return id;
  } catch {}
  throw new ApiError(400, "invalid_request", "cursor: not a cursor this API gave", [
    { path: "cursor", message: "not a cursor this API gave" },
  ]);
}
