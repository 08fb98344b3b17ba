import type { PlanName } from "../../../platform/plans";
import type { ResourceSelection, TenantState } from "../../../platform/tenants-api";
import { now, type OperationError, TenantRow } from "./rows";

export async function getTenant(db: D1Database, id: string): Promise<TenantRow | null> {
  return tenantOf(await selectTenant(db, id).all());
}

/** The select of getTenant, to read it in a batch with other reads (one round trip). */
export function selectTenant(db: D1Database, id: string): D1PreparedStatement {
  return db.prepare("SELECT * FROM tenants WHERE id = ?").bind(id);
}

/** The first row of a select of tenants, parsed. */
export function tenantOf(result: D1Result): TenantRow | null {
  const [row] = result.results;
  return row === undefined ? null : TenantRow.parse(row);
}

export type NewTenant = {
  id: string;
  plan: PlanName;
  requestDigest: string;
  wanted: ResourceSelection;
  scriptName: string;
  scriptKey: string | null;
  compatibilityDate: string;
  vars: Record<string, string>;
  secretNames: string[];
};

/** Inserts the tenant, or replaces a `failed` or `deleted` one of the same id (ids are reusable once gone). */
export function insertTenant(db: D1Database, tenant: NewTenant): D1PreparedStatement {
  const at = now();
  return db
    .prepare(
      `INSERT OR REPLACE INTO tenants (id, plan, state, request_digest, wanted_resources, script_name, script_key,
         compatibility_date, vars, secret_names, suspended, last_error, created_at, updated_at)
       VALUES (?, ?, 'provisioning', ?, ?, ?, ?, ?, ?, ?, 0, NULL, ?, ?)`,
    )
    .bind(
      tenant.id,
      tenant.plan,
      tenant.requestDigest,
      JSON.stringify(tenant.wanted),
      tenant.scriptName,
      tenant.scriptKey,
      tenant.compatibilityDate,
      JSON.stringify(tenant.vars),
      JSON.stringify(tenant.secretNames),
      at,
      at,
    );
}

export type TenantPatch = Partial<{
  plan: PlanName;
  state: TenantState;
  kvNamespaceId: string | null;
  r2BucketName: string | null;
  d1DatabaseId: string | null;
  scriptKey: string | null;
  scriptEtag: string | null;
  scriptUploadedAt: string | null;
  compatibilityDate: string;
  vars: Record<string, string>;
  secretNames: string[];
  suspended: boolean;
  lastError: OperationError | null;
  /** The live script's Durable Objects: written together, after an upload. */
  durableObjectBindings: Record<string, string>;
  durableObjectClasses: string[];
  durableObjectTag: string | null;
  /** The script's cron triggers, once set on Cloudflare. */
  crons: string[];
}>;

const COLUMNS: Record<keyof TenantPatch, string> = {
  plan: "plan",
  state: "state",
  kvNamespaceId: "kv_namespace_id",
  r2BucketName: "r2_bucket_name",
  d1DatabaseId: "d1_database_id",
  scriptKey: "script_key",
  scriptEtag: "script_etag",
  scriptUploadedAt: "script_uploaded_at",
  compatibilityDate: "compatibility_date",
  vars: "vars",
  secretNames: "secret_names",
  suspended: "suspended",
  lastError: "last_error",
  durableObjectBindings: "durable_object_bindings",
  durableObjectClasses: "durable_object_classes",
  durableObjectTag: "durable_object_tag",
  crons: "crons",
};

function columnValue(key: keyof TenantPatch, value: unknown): unknown {
  if (
    key === "vars" ||
    key === "secretNames" ||
    key === "lastError" ||
    key === "durableObjectBindings" ||
    key === "durableObjectClasses" ||
    key === "crons"
  )
    return value === null ? null : JSON.stringify(value);
  if (key === "suspended") return value ? 1 : 0;
  return value;
}

export function updateTenant(db: D1Database, id: string, patch: TenantPatch): D1PreparedStatement {
  const keys = (Object.keys(patch) as (keyof TenantPatch)[]).filter((key) => patch[key] !== undefined);
  const sets = [...keys.map((key) => `${COLUMNS[key]} = ?`), "updated_at = ?"];
  const values = [...keys.map((key) => columnValue(key, patch[key])), now()];
  return db.prepare(`UPDATE tenants SET ${sets.join(", ")} WHERE id = ?`).bind(...values, id);
}

/**
 * A tenant settles in `state` once an operation on it has succeeded, its last error cleared; unless
 * a DELETE came meanwhile: `deleting` stays, or GET would show the tenant live, and changes taken
 * then would be dropped unrun once the teardown ends.
 */
export function settleTenant(db: D1Database, id: string, state: "active" | "suspended"): D1PreparedStatement {
  return db
    .prepare(
      "UPDATE tenants SET state = CASE state WHEN 'deleting' THEN state ELSE ?1 END, last_error = NULL, updated_at = ?2 WHERE id = ?3",
    )
    .bind(state, now(), id);
}

export type TenantListFilter = {
  state?: TenantState;
  plan?: PlanName;
  /** Ids starting with this. */
  prefix?: string;
  after?: string;
  limit: number;
};

/** Above every character a tenant id can hold: `id < prefix || ID_CEILING` ends a prefix's range. */
const ID_CEILING = "\uffff";

/** Tenants in id order, after `after` (the cursor), filtered; one more than `limit` to tell whether more follow. */
export async function listTenants(db: D1Database, filter: TenantListFilter): Promise<TenantRow[]> {
  const where: string[] = [];
  const values: unknown[] = [];
  if (filter.state !== undefined) {
    where.push("state = ?");
    values.push(filter.state);
  }
  if (filter.plan !== undefined) {
    where.push("plan = ?");
    values.push(filter.plan);
  }
  if (filter.prefix !== undefined) {
    // A range on the id, which the primary key (and each (state, id) / (plan, id) index) serves; LIKE would scan.
    where.push("id >= ? AND id < ?");
    values.push(filter.prefix, filter.prefix + ID_CEILING);
  }
  if (filter.after !== undefined) {
    where.push("id > ?");
    values.push(filter.after);
  }
  const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
  const { results } = await db
    .prepare(`SELECT * FROM tenants ${clause} ORDER BY id LIMIT ?`)
    .bind(...values, filter.limit + 1)
    .all();
  return results.map((row) => TenantRow.parse(row));
}
