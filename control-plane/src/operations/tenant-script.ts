import type { PlanName } from "../../../platform/plans";
import { updateTenant } from "../registry/tenants";
import { loadBundle } from "../scripts/bundles";
import type { StepContext } from "./context";

/**
 * Uploads a bundle as the tenant's script. Bound: with the tenant's resources
 * as KV, BUCKET and DB, its Analytics Engine dataset as ANALYTICS, its vars,
 * and the secrets waiting to be sent; secrets set earlier are kept
 * (`keep_bindings`), so a new upload never loses one. Unbound: the code
 * alone, to have the API check it.
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
  const tenant = {
    ...context.tenant,
    plan: options.settings?.plan ?? context.tenant.plan,
    vars: options.settings?.vars ?? context.tenant.vars,
  };
  const bundle = await loadBundle(context.env.SCRIPTS, scriptKey);
  const pending = options.bound ? await context.secrets.pending() : new Map<string, string>();
  const bindings = options.bound
    ? [
        ...(tenant.kv_namespace_id === null
          ? []
          : [{ type: "kv_namespace" as const, name: "KV", namespace_id: tenant.kv_namespace_id }]),
        ...(tenant.r2_bucket_name === null
          ? []
          : [{ type: "r2_bucket" as const, name: "BUCKET", bucket_name: tenant.r2_bucket_name }]),
        ...(tenant.d1_database_id === null
          ? []
          : [{ type: "d1" as const, name: "DB", database_id: tenant.d1_database_id }]),
        { type: "analytics_engine" as const, name: "ANALYTICS", dataset: names.dataset },
        ...Object.entries(tenant.vars).map(([name, text]) => ({ type: "plain_text" as const, name, text })),
        ...[...pending].map(([name, text]) => ({ type: "secret_text" as const, name, text })),
      ]
    : [];
  const uploaded = await context.api.scripts.upload(config.dispatchNamespace, names.script, {
    mainModule: bundle.mainModule,
    modules: bundle.modules,
    compatibilityDate: bundle.compatibilityDate ?? tenant.compatibility_date,
    compatibilityFlags: bundle.compatibilityFlags ?? [],
    bindings,
    tags: [`tenant:${tenant.id}`, `plan:${tenant.plan}`],
    keepBindings: ["secret_text"],
  });
  if (!options.bound) return;
  await updateTenant(context.env.DB, tenant.id, {
    scriptKey,
    scriptEtag: uploaded.etag,
    scriptUploadedAt: uploaded.modifiedOn,
  }).run();
  await context.secrets.drop(pending.keys());
}
