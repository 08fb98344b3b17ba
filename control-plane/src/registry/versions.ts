import { z } from "zod";
import { VersionId } from "../../../platform/routes";
import { DeploymentVersion } from "../../../platform/tenants-api";
import { JsonText, now } from "./rows";

/** A version of a tenant's script, as the registry keeps it (`migrations/0004_versions.sql`). */
export const VersionRow = z.object({
  tenant_id: z.string(),
  id: VersionId,
  number: z.number().int(),
  script_key: z.string(),
  etag: z.string().nullable(),
  vars: JsonText(z.record(z.string(), z.string())),
  secret_names: JsonText(z.array(z.string())),
  durable_object_bindings: JsonText(z.record(z.string(), z.string())),
  message: z.string(),
  created_by: z.string(),
  operation_id: z.string(),
  created_at: z.string(),
  preview_routed: z.number().transform((n) => n === 1),
});
export type VersionRow = z.infer<typeof VersionRow>;

const DeploymentRecord = JsonText(z.array(DeploymentVersion));

/** The version most of the traffic goes to: the one whose bundle and bindings the registry shows as live. */
export const leadingVersion = (versions: readonly DeploymentVersion[]): DeploymentVersion | undefined =>
  [...versions].sort((a, b) => b.percentage - a.percentage)[0];

export type NewVersion = {
  tenantId: string;
  id: string;
  scriptKey: string;
  etag: string | null;
  vars: Record<string, string>;
  secretNames: readonly string[];
  durableObjectBindings: Record<string, string>;
  message: string;
  createdBy: string;
  /** The operation that made it. */
  operationId: string;
};

/** Records a version, numbered after the tenant's last; recording it again (a retried step) changes nothing. */
export function insertVersion(db: D1Database, version: NewVersion): D1PreparedStatement {
  return db
    .prepare(
      `INSERT OR IGNORE INTO tenant_versions (tenant_id, id, number, script_key, etag, vars, secret_names,
         durable_object_bindings, message, created_by, operation_id, created_at)
       VALUES (?1, ?2, (SELECT COALESCE(MAX(number), 0) + 1 FROM tenant_versions WHERE tenant_id = ?1),
         ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)`,
    )
    .bind(
      version.tenantId,
      version.id,
      version.scriptKey,
      version.etag,
      JSON.stringify(version.vars),
      JSON.stringify(version.secretNames),
      JSON.stringify(version.durableObjectBindings),
      version.message,
      version.createdBy,
      version.operationId,
      now(),
    );
}

/**
 * Records a deployment made by an operation, and makes it the tenant's live
 * one: both or neither (a batch). An operation deploys once, so a retried
 * step's second record is ignored, and the live deployment is written again
 * with the same value.
 */
export function recordDeployment(
  db: D1Database,
  tenantId: string,
  operationId: string,
  versions: readonly DeploymentVersion[],
): D1PreparedStatement[] {
  const json = JSON.stringify(versions);
  return [
    db
      .prepare(
        "INSERT OR IGNORE INTO tenant_deployments (tenant_id, operation_id, versions, created_at) VALUES (?, ?, ?, ?)",
      )
      .bind(tenantId, operationId, json, now()),
    db.prepare("UPDATE tenants SET deployment = ?, updated_at = ? WHERE id = ?").bind(json, now(), tenantId),
  ];
}

export async function getVersion(db: D1Database, tenantId: string, id: string): Promise<VersionRow | null> {
  const row = await db
    .prepare("SELECT * FROM tenant_versions WHERE tenant_id = ? AND id = ?")
    .bind(tenantId, id)
    .first();
  return row === null ? null : VersionRow.parse(row);
}

/** The version an operation made (a version upload), if it has made it yet. */
export async function versionMadeBy(db: D1Database, tenantId: string, operationId: string): Promise<VersionRow | null> {
  const row = await db
    .prepare("SELECT * FROM tenant_versions WHERE tenant_id = ? AND operation_id = ?")
    .bind(tenantId, operationId)
    .first();
  return row === null ? null : VersionRow.parse(row);
}

/** The tenant's newest version, if it has one. */
export async function latestVersion(db: D1Database, tenantId: string): Promise<VersionRow | null> {
  const row = await db
    .prepare("SELECT * FROM tenant_versions WHERE tenant_id = ? ORDER BY number DESC LIMIT 1")
    .bind(tenantId)
    .first();
  return row === null ? null : VersionRow.parse(row);
}

/** The tenant's versions newest first, below `before` (a number) when given; one more than `limit` to tell whether more follow. */
export async function listVersions(
  db: D1Database,
  tenantId: string,
  page: { before?: number; limit: number },
): Promise<VersionRow[]> {
  const { results } = await db
    .prepare("SELECT * FROM tenant_versions WHERE tenant_id = ? AND number < ? ORDER BY number DESC LIMIT ?")
    .bind(tenantId, page.before ?? Number.MAX_SAFE_INTEGER, page.limit + 1)
    .all();
  return results.map((row) => VersionRow.parse(row));
}

/** The tenant's versions a preview route may name. */
export async function previewRoutedVersions(db: D1Database, tenantId: string): Promise<VersionRow[]> {
  const { results } = await db
    .prepare("SELECT * FROM tenant_versions WHERE tenant_id = ? AND preview_routed = 1")
    .bind(tenantId)
    .all();
  return results.map((row) => VersionRow.parse(row));
}

export function markPreviewRouted(db: D1Database, tenantId: string, ids: readonly string[], routed: boolean) {
  return ids.map((id) =>
    db
      .prepare("UPDATE tenant_versions SET preview_routed = ? WHERE tenant_id = ? AND id = ?")
      .bind(routed ? 1 : 0, tenantId, id),
  );
}

/** The tenant's deployments, newest first, each as the versions it served. */
export async function deploymentHistory(
  db: D1Database,
  tenantId: string,
  limit: number,
): Promise<DeploymentVersion[][]> {
  const { results } = await db
    .prepare("SELECT versions FROM tenant_deployments WHERE tenant_id = ? ORDER BY seq DESC LIMIT ?")
    .bind(tenantId, limit)
    .all<{ versions: string }>();
  return results.map((row) => DeploymentRecord.parse(row.versions));
}

/** A tenant gone (deleted, or failed and torn down) keeps no versions: its id may be used again. */
export function forgetVersions(db: D1Database, tenantId: string): D1PreparedStatement[] {
  return [
    db.prepare("DELETE FROM tenant_versions WHERE tenant_id = ?").bind(tenantId),
    db.prepare("DELETE FROM tenant_deployments WHERE tenant_id = ?").bind(tenantId),
    db.prepare("UPDATE tenants SET deployment = '[]' WHERE id = ?").bind(tenantId),
  ];
}
