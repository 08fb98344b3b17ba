/**
 * The hostnames table: which tenant owns each custom hostname, and how far
 * its route is (migrations/0002). A hostname stays its tenant's until its
 * route is gone, so one tenant's late operation never removes a route
 * another tenant has since been given.
 */

export type HostnameState = "adding" | "live" | "removing";
export type HostnameClaim = { hostname: string; state: HostnameState };

const inList = (values: readonly unknown[]) => values.map(() => "?").join(",");

export async function hostnameClaims(db: D1Database, tenantId: string): Promise<HostnameClaim[]> {
  return (await hostnameClaimsOfMany(db, [tenantId])).get(tenantId) ?? [];
}

export async function hostnameClaimsOfMany(db: D1Database, tenantIds: string[]): Promise<Map<string, HostnameClaim[]>> {
  const owned = new Map<string, HostnameClaim[]>(tenantIds.map((id) => [id, []]));
  if (tenantIds.length === 0) return owned;
  const { results } = await db
    .prepare(
      `SELECT tenant_id, hostname, state FROM hostnames WHERE tenant_id IN (${inList(tenantIds)}) ORDER BY hostname`,
    )
    .bind(...tenantIds)
    .all<{ tenant_id: string; hostname: string; state: HostnameState }>();
  for (const row of results) owned.get(row.tenant_id)?.push({ hostname: row.hostname, state: row.state });
  return owned;
}

/** The hostnames among `hostnames` that another tenant owns (or is still releasing). */
export async function takenHostnames(db: D1Database, tenantId: string, hostnames: string[]): Promise<string[]> {
  if (hostnames.length === 0) return [];
  const { results } = await db
    .prepare(`SELECT hostname FROM hostnames WHERE tenant_id != ? AND hostname IN (${inList(hostnames)})`)
    .bind(tenantId, ...hostnames)
    .all<{ hostname: string }>();
  return results.map((row) => row.hostname);
}

/**
 * Claims hostnames for a tenant, their routes still to be written. Plain
 * INSERT: a hostname another tenant took between the check and this batch
 * fails the whole batch on the primary key, so nothing is half-written.
 */
export function claimHostnames(db: D1Database, tenantId: string, hostnames: string[]): D1PreparedStatement[] {
  return hostnames.map((hostname) =>
    db.prepare("INSERT INTO hostnames (hostname, tenant_id, state) VALUES (?, ?, 'adding')").bind(hostname, tenantId),
  );
}

/** A request gave these up: they stay the tenant's until their routes are deleted. */
export function giveUpHostnames(db: D1Database, tenantId: string, hostnames: string[]): D1PreparedStatement[] {
  return hostnames.map((hostname) =>
    db.prepare("UPDATE hostnames SET state = 'removing' WHERE hostname = ? AND tenant_id = ?").bind(hostname, tenantId),
  );
}

/** A request wants back hostnames it had given up before their routes went: written again. */
export function reclaimHostnames(db: D1Database, tenantId: string, hostnames: string[]): D1PreparedStatement[] {
  return hostnames.map((hostname) =>
    db
      .prepare("UPDATE hostnames SET state = 'adding' WHERE hostname = ? AND tenant_id = ? AND state = 'removing'")
      .bind(hostname, tenantId),
  );
}

/** Their routes are written: live, unless a request gave them up meanwhile. */
export function markHostnamesLive(db: D1Database, tenantId: string, hostnames: string[]): D1PreparedStatement[] {
  return hostnames.map((hostname) =>
    db
      .prepare("UPDATE hostnames SET state = 'live' WHERE hostname = ? AND tenant_id = ? AND state = 'adding'")
      .bind(hostname, tenantId),
  );
}

/** Their routes are deleted: free for anyone, unless a request wanted them back meanwhile. */
export function releaseHostnames(db: D1Database, tenantId: string, hostnames: string[]): D1PreparedStatement[] {
  return hostnames.map((hostname) =>
    db
      .prepare("DELETE FROM hostnames WHERE hostname = ? AND tenant_id = ? AND state = 'removing'")
      .bind(hostname, tenantId),
  );
}

/** The tenant is gone (its routes deleted first): every hostname it had is free. */
export function releaseAllHostnames(db: D1Database, tenantId: string): D1PreparedStatement {
  return db.prepare("DELETE FROM hostnames WHERE tenant_id = ?").bind(tenantId);
}
