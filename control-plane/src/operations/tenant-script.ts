import { ErrorCode } from "../../../cloudflare-api/error-codes";
import type { Migrations } from "../../../cloudflare-api/script-metadata";
import type { PlanName } from "../../../platform/plans";
import type { VersionId } from "../../../platform/routes";
import type { ScriptSource } from "../../../platform/tenants-api";
import { isApiError } from "../cloudflare/errors";
import type { ScriptUpload } from "../cloudflare/upload-body";
import type { TenantRow } from "../registry/rows";
import { updateTenant } from "../registry/tenants";
import { insertVersion, recordDeployment } from "../registry/versions";
import { loadBundle } from "../scripts/bundles";
import type { StepContext } from "./context";
import { StepRefusal } from "./failures";
import { assetsPart } from "./tenant-assets";
import { createdByOf, defaultMessage } from "./version-notes";

/**
 * Uploads a bundle as the tenant's script. Bound: with the tenant's resources
 * as KV, BUCKET and DB, its Analytics Engine dataset as ANALYTICS, its vars,
 * its Durable Object bindings (with the migration its classes need, see
 * `durableObjectMigration`), and the secrets waiting to be sent; secrets set
 * earlier are kept (`keep_bindings`), so a new upload never loses one.
 *
 * Unbound: the code alone, to have the API check it. It runs only as a
 * provisioning's first step (`check_script`), against the tenant's own script
 * name, where no script is yet (a tenant id is reusable only once its script
 * was deleted with it). It sends no Durable Object binding and no migration:
 * the API checks a class only when something binds or migrates it, so a
 * class-bearing script passes, and the script is left with no class and no
 * migration tag. Sending the classes there would check their exports earlier,
 * but would set the tag on the real script before the bound upload, which then
 * would have to tell that tag from a stale one; the bound upload checks the
 * exports anyway (10061, a refused script). There is no throwaway script to
 * clean up: a refused provisioning deletes the tenant's script as before.
 */
export async function uploadTenantScript(
  context: StepContext,
  scriptKey: string,
  options: {
    bound: boolean;
    /** An update's new plan or vars, in place of the live ones the registry holds. */
    settings?: { plan?: PlanName | undefined; vars?: Record<string, string> | undefined };
  },
) {
  const { names, config } = context;
  const upload = (upload: ScriptUpload) => context.api.scripts.upload(config.dispatchNamespace, names.script, upload);
  if (!options.bound) {
    const bundle = await loadBundle(context.env.SCRIPTS, scriptKey);
    await upload({ ...scriptCode(context.tenant, bundle), bindings: [] });
    return;
  }

  const built = await boundUpload(context, scriptKey, options.settings, { withPendingSecrets: true });
  const { tenant, code, bindings, change, pending } = built;
  // A bound upload makes a version, which the API and the registry note with this message.
  const message = defaultMessage(context);
  const withMigrations = {
    ...code,
    bindings,
    message,
    ...(change.migrations === undefined ? {} : { migrations: change.migrations }),
  };

  let uploaded: Awaited<ReturnType<typeof upload>>;
  try {
    uploaded = await upload(withMigrations);
  } catch (error) {
    // The migration carries the tag the registry recorded as `old_tag`. The
    // script can be at another tag for one reason of ours: this very
    // operation's upload went through before (an answer lost, or its record
    // below failed) and this is its retry. Its tag then is the one this
    // operation writes (`newTag` is fixed per operation), and the upload goes
    // again without the migration, which is applied. Reading the tag only on
    // this refusal costs no call in the common case (one upload per deploy);
    // reading it before every migrating upload would cost one each time.
    if (change.migrations === undefined || !isApiError(error, ErrorCode.migrationTagMismatch)) throw error;
    const live = await context.api.scripts.get(config.dispatchNamespace, names.script);
    if (live?.migrationTag !== change.tag) {
      throw new StepRefusal(
        "migration_conflict",
        `the script's Durable Object migration tag is ${live?.migrationTag ?? "not set"}, not ${
          context.tenant.durable_object_tag ?? "not set"
        } as the registry records: its classes were changed outside the control plane, so no migration is computed from them`,
      );
    }
    const { migrations: _sent, ...withoutMigrations } = withMigrations;
    uploaded = await upload(withoutMigrations);
  }
  const db = context.env.DB;
  const versionId = uploaded.versionId ?? (await deployedVersion(context));
  // The upload made a version and deployed it alone: recorded with the script, in one batch.
  await db.batch([
    updateTenant(db, tenant.id, {
      scriptKey,
      scriptEtag: uploaded.etag,
      scriptUploadedAt: uploaded.modifiedOn,
      durableObjectBindings: built.objects,
      durableObjectClasses: change.classes,
      durableObjectTag: change.tag,
    }),
    insertVersion(db, {
      ...versionOf(context, tenant, built.objects),
      id: versionId,
      scriptKey,
      etag: uploaded.etag,
      message,
    }),
    ...recordDeployment(db, tenant.id, context.operation.id, [{ id: versionId, percentage: 100 }]),
  ]);
  await context.secrets.drop(pending.keys());
}

/** The version serving all the script's traffic, read back from the API (for an upload answer that does not name it). */
async function deployedVersion(context: StepContext): Promise<VersionId> {
  const active = await context.api.versions.active(context.config.dispatchNamespace, context.names.script);
  const leading = active?.versions.find((version) => version.percentage === 100);
  if (leading === undefined) throw new Error("the script has no version deployed at 100% to read back");
  return leading.id;
}

/** The code of a bundle as the tenant's script: its modules, dates and flags, and the tenant's tags. */
function scriptCode(tenant: Pick<TenantRow, "id" | "plan" | "compatibility_date">, bundle: ScriptSource) {
  return {
    mainModule: bundle.mainModule,
    modules: bundle.modules,
    compatibilityDate: bundle.compatibilityDate ?? tenant.compatibility_date,
    compatibilityFlags: bundle.compatibilityFlags ?? [],
    tags: [`tenant:${tenant.id}`, `plan:${tenant.plan}`],
    keepBindings: ["secret_text"],
  };
}

/**
 * A bound upload of the bundle: the tenant's resources as KV, BUCKET and DB,
 * its Analytics Engine dataset as ANALYTICS, its vars, its Durable Object
 * bindings (and the migration its classes need), (`withPendingSecrets`)
 * the secrets waiting to be sent, and its static assets as ASSETS (uploaded
 * now when the bundle has a manifest, kept when it has no `assets`: tenant-assets.ts).
 */
export async function boundUpload(
  context: StepContext,
  scriptKey: string,
  settings: { plan?: PlanName | undefined; vars?: Record<string, string> | undefined } | undefined,
  options: { withPendingSecrets: boolean },
) {
  const tenant = {
    ...context.tenant,
    plan: settings?.plan ?? context.tenant.plan,
    vars: settings?.vars ?? context.tenant.vars,
  };
  const bundle = await loadBundle(context.env.SCRIPTS, scriptKey);
  const objects = bundle.durableObjects ?? {};
  refuseBindingClashes(objects, tenant.vars, tenant.secret_names);
  const change = durableObjectMigration(context.tenant, bundle, context.operation.id);
  const pending = options.withPendingSecrets ? await context.secrets.pending() : new Map<string, string>();
  const bindings = [
    ...(tenant.kv_namespace_id === null
      ? []
      : [{ type: "kv_namespace" as const, name: "KV", namespace_id: tenant.kv_namespace_id }]),
    ...(tenant.r2_bucket_name === null
      ? []
      : [{ type: "r2_bucket" as const, name: "BUCKET", bucket_name: tenant.r2_bucket_name }]),
    ...(tenant.d1_database_id === null
      ? []
      : [{ type: "d1" as const, name: "DB", database_id: tenant.d1_database_id }]),
    { type: "analytics_engine" as const, name: "ANALYTICS", dataset: context.names.dataset },
    ...Object.entries(tenant.vars).map(([name, text]) => ({ type: "plain_text" as const, name, text })),
    // Every bound upload names them all: keep_bindings keeps secrets only.
    ...Object.entries(objects).map(([name, className]) => ({
      type: "durable_object_namespace" as const,
      name,
      class_name: className,
    })),
    ...[...pending].map(([name, text]) => ({ type: "secret_text" as const, name, text })),
  ];
  // Last: an upload session's JWT is valid for a while only, so it is opened just before the upload.
  const assets = await assetsPart(context, bundle);
  return {
    tenant,
    code: { ...scriptCode(tenant, bundle), ...assets.fields },
    bindings: [...bindings, ...assets.bindings],
    objects,
    change,
    pending,
  };
}

/** The bindings a new version of the tenant's script has, as the registry keeps them with it. */
export function versionOf(
  context: StepContext,
  tenant: Pick<TenantRow, "id" | "vars" | "secret_names">,
  durableObjectBindings: Record<string, string>,
) {
  return {
    tenantId: tenant.id,
    vars: tenant.vars,
    secretNames: tenant.secret_names,
    durableObjectBindings,
    createdBy: createdByOf(context.operation),
    operationId: context.operation.id,
  };
}

/**
 * A Durable Object binding must have a name of its own. The API refuses a
 * clash with a var or secret in the same request; this catches one across
 * requests (a rollout's binding named like one tenant's var), failing that
 * tenant's upload with a message saying which.
 */
function refuseBindingClashes(
  objects: Record<string, string>,
  vars: Record<string, string>,
  secretNames: readonly string[],
): void {
  for (const name of Object.keys(objects)) {
    const clash = Object.hasOwn(vars, name) ? "var" : secretNames.includes(name) ? "secret" : null;
    if (clash !== null) {
      throw new StepRefusal(
        "binding_conflict",
        `the script binds a Durable Object as "${name}", which is one of the tenant's ${clash}s: rename one of them`,
      );
    }
  }
}

/** What an upload does to the tenant's Durable Object classes. */
export type DurableObjectChange = {
  /** Every class the script has after it, in name order. */
  readonly classes: string[];
  /** The migration tag after it. */
  readonly tag: string | null;
  /** What the upload sends; undefined when no class is created or deleted. */
  readonly migrations: Migrations | undefined;
};

/**
 * The tenant's migration, worked out from the classes its live script has
 * (as the registry records them) rather than carried by the bundle, so that
 * one bundle rolled out to many tenants gives each its own: a class bound and
 * not had is created (SQLite-backed); a class had and no longer bound is kept,
 * unless the bundle lists it in `deletedDurableObjectClasses` (a class listed
 * that this tenant does not have is nothing to delete). `old_tag` is the
 * recorded tag; `new_tag` is `v<n+1>-<operation>`: the same on every attempt
 * of one operation (see the retry in uploadTenantScript), never the same for
 * two operations.
 */
export function durableObjectMigration(
  tenant: Pick<TenantRow, "durable_object_classes" | "durable_object_tag">,
  script: Pick<ScriptSource, "durableObjects" | "deletedDurableObjectClasses">,
  operationId: string,
): DurableObjectChange {
  const had = new Set(tenant.durable_object_classes);
  const bound = new Set(Object.values(script.durableObjects ?? {}));
  const created = [...bound].filter((name) => !had.has(name)).sort();
  const deleted = [...new Set(script.deletedDurableObjectClasses ?? [])]
    .filter((name) => had.has(name) && !bound.has(name))
    .sort();
  const classes = [...new Set([...had, ...bound])].filter((name) => !deleted.includes(name)).sort();
  const current = tenant.durable_object_tag;
  if (created.length === 0 && deleted.length === 0) return { classes, tag: current, migrations: undefined };
  const tag = nextMigrationTag(current, operationId);
  return {
    classes,
    tag,
    migrations: {
      ...(current === null ? {} : { old_tag: current }),
      new_tag: tag,
      ...(created.length === 0 ? {} : { new_sqlite_classes: created }),
      ...(deleted.length === 0 ? {} : { deleted_classes: deleted }),
    },
  };
}

/** `v1-…`, `v2-…`: the count of migrations, and the operation that made it. */
export function nextMigrationTag(current: string | null, operationId: string): string {
  const count = Number(/^v(\d+)/.exec(current ?? "")?.[1] ?? 0);
  return `v${count + 1}-${operationId.replaceAll("-", "").slice(0, 8)}`;
}
