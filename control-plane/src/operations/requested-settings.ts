import type { PlanName } from "../../../platform/plans";
import { UpdateInput } from "./steps";

/** What a PATCH can change that the registry records only once it is live. */
export type Settings = { plan: PlanName; vars: Record<string, string>; suspended: boolean };

/**
 * The settings each tenant's unfinished updates ask for, the later over the
 * earlier: what the tenant will have once they have run. Only the fields some
 * update asks for are present.
 */
export async function requestedSettings(db: D1Database, tenantIds: string[]): Promise<Map<string, Partial<Settings>>> {
  if (tenantIds.length === 0) return new Map();
  return requestedSettingsFrom(await selectRequestedSettings(db, tenantIds).all());
}

/** The select of requestedSettings (at least one id), to read it in a batch with other reads. */
export function selectRequestedSettings(db: D1Database, tenantIds: readonly string[]): D1PreparedStatement {
  return db
    .prepare(
      `SELECT tenant_id, input FROM operations
       WHERE kind = 'update' AND state IN ('queued', 'running') AND tenant_id IN (${tenantIds.map(() => "?").join(",")})
       ORDER BY created_at, rowid`,
    )
    .bind(...tenantIds);
}

/** What that select gave: each tenant's requested settings. */
export function requestedSettingsFrom(result: D1Result): Map<string, Partial<Settings>> {
  const requested = new Map<string, Partial<Settings>>();
  for (const row of result.results as { tenant_id: string; input: string }[]) {
    const { plan, vars, suspended } = UpdateInput.parse(JSON.parse(row.input));
    const merged = { ...requested.get(row.tenant_id) };
    if (plan !== undefined) merged.plan = plan;
    if (vars !== undefined) merged.vars = vars;
    if (suspended !== undefined) merged.suspended = suspended;
    requested.set(row.tenant_id, merged);
  }
  return requested;
}

/** Two sets of vars are the same: the same names with the same values, in any order. */
export function sameVars(a: Record<string, string>, b: Record<string, string>): boolean {
  const names = Object.keys(a);
  return names.length === Object.keys(b).length && names.every((name) => Object.hasOwn(b, name) && a[name] === b[name]);
}
