import { D1DatabaseName, R2BucketName, ScriptName } from "../../../cloudflare-api/names";
import type { TenantId } from "../../../platform/routes";

/**
 * The names of a tenant's Cloudflare resources, all derived from its id, so
 * that every provisioning step can find what an earlier (possibly
 * interrupted) attempt created instead of creating it twice.
 */
export interface TenantResourceNames {
  /** KV namespace title. */
  readonly kv: string;
  readonly r2: R2BucketName;
  readonly d1: D1DatabaseName;
  /** The tenant's script in the dispatch namespace. */
  readonly script: ScriptName;
  /** Analytics Engine dataset (created on first write; datasets take letters, digits and `_`). */
  readonly dataset: string;
}

export function tenantResourceNames(tenantId: TenantId): TenantResourceNames {
  return {
    kv: `t-${tenantId}-kv`,
    r2: R2BucketName.parse(`t-${tenantId}-r2`),
    d1: D1DatabaseName.parse(`t-${tenantId}-d1`),
    script: ScriptName.parse(tenantId),
    dataset: `tenant_${tenantId.replaceAll("-", "_")}`,
  };
}
