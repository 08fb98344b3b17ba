import { z } from "zod";
import { PlanName } from "../../../platform/plans";
import { deleteLogs } from "../logs/tail";
import {
  type HostnameClaim,
  hostnameClaims,
  markHostnamesLive,
  releaseAllHostnames,
  releaseHostnames,
} from "../registry/hostnames";
import { settleTenant, updateTenant } from "../registry/tenants";
import { forgetVersions } from "../registry/versions";
import { allHostnames, deleteOwnRoutes, routeRecordOf } from "../routing/routing-table";
import { acceptedLately, noteAccepted } from "../scripts/accepted-code";
import { loadBundle } from "../scripts/bundles";
import type { Step, StepContext } from "./context";
import { deleteCustomHostnames } from "./custom-hostname-steps";
import { writeHostnameRoutes } from "./hostname-routes";
import { applyD1Migrations } from "./tenant-d1-migrations";
import { uploadTenantScript } from "./tenant-script";
import { VersionNote } from "./version-notes";
import { previewHostnames, recordSecretVersion } from "./version-steps";

/** What each kind of operation carries in its `input` (never a secret's value). */
export const ProvisionInput = z.object({ scriptKey: z.string().nullable() });
/** `deploy: false`: a version uploaded and staged at 0% (its preview answers), the traffic left where it is. */
export const DeployInput = VersionNote.extend({ scriptKey: z.string(), deploy: z.boolean().default(true) });
/**
 * A PATCH: the settings it asks for, applied by the operation. The registry
 * keeps what is live until then, so a change that fails is never shown as
 * made. (Hostname claims are in the hostnames table.)
 */
export const UpdateInput = z.object({
  reupload: z.boolean(),
  plan: PlanName.optional(),
  vars: z.record(z.string(), z.string()).optional(),
  suspended: z.boolean().optional(),
});
export type UpdateInput = z.infer<typeof UpdateInput>;

/** What an update operation asks for; nothing for the other kinds. */
const requested = (context: StepContext): Partial<UpdateInput> =>
  context.operation.kind === "update" ? UpdateInput.parse(context.operation.input) : {};
export const SecretInput = z.object({ name: z.string() });

const db = (context: StepContext) => context.env.DB;

export const createKv: Step = {
  name: "create_kv",
  callsApi: true,
  async run(context) {
    const namespace = await context.api.kv.ensure(context.names.kv);
    await updateTenant(db(context), context.tenant.id, { kvNamespaceId: namespace.id }).run();
  },
};

export const createR2: Step = {
  name: "create_r2",
  callsApi: true,
  async run(context) {
    const bucket = await context.api.r2.ensure(context.names.r2);
    await updateTenant(db(context), context.tenant.id, { r2BucketName: bucket.name }).run();
  },
};

export const createD1: Step = {
  name: "create_d1",
  callsApi: true,
  async run(context) {
    const database = await context.api.d1.ensure(context.names.d1);
    await updateTenant(db(context), context.tenant.id, { d1DatabaseId: database.uuid }).run();
  },
};

/** Runs the bundle's migrations the tenant's database has not seen yet. */
export function migrate(scriptKey: (context: StepContext) => string | null): Step {
  return {
    name: "apply_migrations",
    callsApi: true,
    async run(context) {
      const key = scriptKey(context);
      const databaseId = context.tenant.d1_database_id;
      if (key === null || databaseId === null) return;
      const bundle = await loadBundle(context.env.SCRIPTS, key);
      await applyD1Migrations(context.api, databaseId, bundle.migrations ?? {}, context.d1Migrations);
    },
  };
}

/**
 * Uploads the script with no bindings before anything else is created, so
 * that code the API refuses (10021) fails the request at once with nothing
 * left behind. Routes are written last, so no traffic reaches this version.
 * Code the API accepted lately (the same bundle at the same date) is not
 * sent again: scripts/accepted-code.ts says why that answer cannot differ.
 */
export const checkScript: Step = {
  name: "check_script",
  callsApi: true,
  async run(context) {
    const { scriptKey } = ProvisionInput.parse(context.operation.input);
    if (scriptKey === null) return;
    const bucket = context.env.SCRIPTS;
    const date = context.tenant.compatibility_date;
    if (await acceptedLately(bucket, scriptKey, date, context.config.scriptCheckReuseMs)) return;
    await uploadTenantScript(context, scriptKey, { bound: false });
    await noteAccepted(bucket, scriptKey, date);
  },
};

export function upload(scriptKey: (context: StepContext) => string | null): Step {
  return {
    name: "upload_script",
    callsApi: true,
    async run(context) {
      const key = scriptKey(context);
      const { plan, vars } = requested(context);
      if (key !== null) await uploadTenantScript(context, key, { bound: true, settings: { plan, vars } });
    },
  };
}

/**
 * Brings the routing table in line with the tenant's hostname claims: writes
 * the route of each one it keeps, deletes those it gave up (only where the
 * route still names it), then records them live or releases them. Needs no
 * upload, so an update runs it first: a change of hostnames or suspension
 * never waits on, or fails with, a re-upload.
 */
export const routeHostnames: Step = {
  name: "write_routes",
  callsApi: false,
  async run(context) {
    const { tenant } = context;
    const suspended = requested(context).suspended ?? tenant.suspended;
    const claims = await hostnameClaims(db(context), tenant.id);
    const named = (state: HostnameClaim["state"]) =>
      claims.filter((claim) => claim.state === state).map((claim) => claim.hostname);
    await writeTenantRoutes(context, claims, { plan: tenant.plan, suspended });
    await deleteOwnRoutes(context.env.ROUTES, tenant.id, named("removing"));
    await db(context).batch([
      ...markHostnamesLive(db(context), tenant.id, named("adding")),
      ...releaseHostnames(db(context), tenant.id, named("removing")),
      updateTenant(db(context), tenant.id, { suspended }),
    ]);
  },
};

/**
 * Makes an update's plan and vars live, once the script carries them: the
 * routes get the new plan (the dispatcher's limits), then the registry
 * records both. Routes first, so a retry after a crash writes them again.
 */
export const applySettings: Step = {
  name: "apply_settings",
  callsApi: false,
  async run(context) {
    const { tenant } = context;
    const { plan, vars } = requested(context);
    if (plan === undefined && vars === undefined) return;
    if (plan !== undefined) {
      const claims = await hostnameClaims(db(context), tenant.id);
      await writeTenantRoutes(context, claims, { plan, suspended: tenant.suspended });
    }
    await updateTenant(db(context), tenant.id, { plan, vars }).run();
  },
};

/** Writes the tenant's route, with these settings, under its own hostname and every claim it keeps. */
async function writeTenantRoutes(
  context: StepContext,
  claims: readonly HostnameClaim[],
  settings: { plan: PlanName; suspended: boolean },
): Promise<void> {
  const kept = claims.filter((claim) => claim.state !== "removing").map((claim) => claim.hostname);
  await writeHostnameRoutes(
    context,
    routeRecordOf(context.tenant, settings),
    allHostnames(context.tenant.id, context.config.platformDomain, kept),
  );
}

/** The state a tenant settles in once an operation on it has succeeded. */
export const settle: Step = {
  name: "settle",
  callsApi: false,
  async run(context) {
    await settleTenant(db(context), context.tenant.id, context.tenant.suspended ? "suspended" : "active").run();
  },
};

/** A secret change makes a version of the script, deployed alone: recorded after it (`recordSecretVersion`). */
export const putSecret: Step = {
  name: "put_secret",
  callsApi: true,
  async run(context) {
    const { name } = SecretInput.parse(context.operation.input);
    // No script yet: the value waits for the first upload, which carries it.
    if (context.tenant.script_etag === null) return;
    const value = await context.secrets.get(name);
    // Undefined: sent already (by this step before a retry, or by an upload since the request).
    if (value !== undefined) {
      await context.api.scripts.putSecret(context.config.dispatchNamespace, context.names.script, name, value);
      await context.secrets.drop([name]);
    }
    await recordSecretVersion(context);
  },
};

export const deleteSecret: Step = {
  name: "delete_secret",
  callsApi: true,
  async run(context) {
    const { name } = SecretInput.parse(context.operation.input);
    await context.secrets.forget([name]);
    if (context.tenant.script_etag !== null) {
      await context.api.scripts.deleteSecret(context.config.dispatchNamespace, context.names.script, name);
      await recordSecretVersion(context);
    }
  },
};

/** A tenant whose script is gone has no Durable Object class left, nor a migration tag. */
const NO_DURABLE_OBJECTS = { durableObjectBindings: {}, durableObjectClasses: [], durableObjectTag: null };

// Teardown: each step removes one thing, found by its recorded id or else by
// the name derived from the tenant id, so that something created by a call
// whose answer was lost is removed too.

export const removeScript: Step = {
  name: "delete_script",
  callsApi: true,
  async run(context) {
    await context.api.scripts.delete(context.config.dispatchNamespace, context.names.script);
    // The script's Durable Object classes, and every object's data, go with it; so do its cron triggers.
    await updateTenant(db(context), context.tenant.id, {
      scriptEtag: null,
      scriptUploadedAt: null,
      ...NO_DURABLE_OBJECTS,
      crons: [],
    }).run();
  },
};

export const unrouteAll: Step = {
  name: "delete_routes",
  callsApi: false,
  async run(context) {
    const claims = await hostnameClaims(db(context), context.tenant.id);
    await deleteOwnRoutes(context.env.ROUTES, context.tenant.id, [
      ...allHostnames(
        context.tenant.id,
        context.config.platformDomain,
        claims.map((claim) => claim.hostname),
      ),
      // Its versions' previews too (the registry forgets the versions at the end of the teardown).
      ...(await previewHostnames(context)),
    ]);
  },
};

export const deleteR2: Step = {
  name: "delete_r2",
  callsApi: true,
  async run(context) {
    await context.api.r2.delete(context.tenant.r2_bucket_name ?? context.names.r2);
    if (context.tenant.r2_bucket_name !== null && context.tenant.r2_bucket_name !== context.names.r2) {
      await context.api.r2.delete(context.names.r2);
    }
    await updateTenant(db(context), context.tenant.id, { r2BucketName: null }).run();
  },
};

/**
 * Deletes the resource by the id the registry recorded, then one found by its
 * derived name: made by a create whose answer was lost, so never recorded.
 */
async function deleteRecordedAndOrphan<T>(
  product: { find(name: string): Promise<T | null>; delete(id: string): Promise<unknown> },
  recordedId: string | null,
  derivedName: string,
  idOf: (found: T) => string,
): Promise<void> {
  if (recordedId !== null) await product.delete(recordedId);
  const orphan = await product.find(derivedName);
  if (orphan !== null) await product.delete(idOf(orphan));
}

export const deleteKv: Step = {
  name: "delete_kv",
  callsApi: true,
  async run(context) {
    const { tenant, names } = context;
    await deleteRecordedAndOrphan(context.api.kv, tenant.kv_namespace_id, names.kv, (namespace) => namespace.id);
    await updateTenant(db(context), tenant.id, { kvNamespaceId: null }).run();
  },
};

export const deleteD1: Step = {
  name: "delete_d1",
  callsApi: true,
  async run(context) {
    const { tenant, names } = context;
    await deleteRecordedAndOrphan(context.api.d1, tenant.d1_database_id, names.d1, (database) => database.uuid);
    await updateTenant(db(context), tenant.id, { d1DatabaseId: null }).run();
  },
};

/**
 * Removes the tenant's log events from the tail Worker (filed under its script name). A delete
 * runs it once the script and routes are gone, so no new event follows; the tail answers 204
 * whether it had any or not, so a retry is harmless.
 */
export const removeLogs: Step = {
  name: "delete_logs",
  callsApi: false,
  async run(context) {
    await deleteLogs(context.env.LOGS, context.names.script);
  },
};

/** Ends a teardown: the hostnames are free again and no secret value is kept. */
export function finishTeardown(state: "failed" | "deleted"): Step {
  return {
    name: `mark_${state}`,
    callsApi: false,
    async run(context) {
      await context.secrets.clear();
      await context.d1Migrations.forget();
      await db(context).batch([
        releaseAllHostnames(db(context), context.tenant.id),
        // Its script is gone, with every version: an id used again starts with none.
        ...forgetVersions(db(context), context.tenant.id),
        updateTenant(db(context), context.tenant.id, {
          state,
          scriptEtag: null,
          scriptUploadedAt: null,
          ...(state === "deleted" ? { lastError: null, secretNames: [] } : {}),
        }),
      ]);
    },
  };
}

export const TEARDOWN: readonly Step[] = [
  removeScript,
  unrouteAll,
  // After the routes: no request reaches the tenant through a hostname whose certificate is going.
  deleteCustomHostnames("all"),
  deleteR2,
  deleteKv,
  deleteD1,
];
