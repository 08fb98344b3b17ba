/** The hostnames table: which tenant owns each custom hostname. */

export async function hostnamesOf(db: D1Database, tenantId: string): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT hostname FROM hostnames WHERE tenant_id = ? ORDER BY hostname")
    .bind(tenantId)
    .all<{ hostname: string }>();
  return results.map((row) => row.hostname);
}

export async function hostnamesOfMany(db: D1Database, tenantIds: string[]): Promise<Map<string, string[]>> {
  const owned = new Map<string, string[]>(tenantIds.map((id) => [id, []]));
  if (tenantIds.length === 0) return owned;
  const { results } = await db
    .prepare(
      `SELECT tenant_id, hostname FROM hostnames WHERE tenant_id IN (${tenantIds.map(() => "?").join(",")}) ORDER BY hostname`,
    )
    .bind(...tenantIds)
    .all<{ tenant_id: string; hostname: string }>();
  for (const row of results) owned.get(row.tenant_id)?.push(row.hostname);
  return owned;
}

/** The hostnames among `hostnames` that another tenant owns, with their owner. */
export async function takenHostnames(db: D1Database, tenantId: string, hostnames: string[]): Promise<string[]> {
  if (hostnames.length === 0) return [];
  const { results } = await db
    .prepare(
      `SELECT hostname FROM hostnames WHERE tenant_id != ? AND hostname IN (${hostnames.map(() => "?").join(",")})`,
    )
    .bind(tenantId, ...hostnames)
    .all<{ hostname: string }>();
  return results.map((row) => row.hostname);
}

/**
 * Claims hostnames for a tenant. Plain INSERT: a hostname another tenant took
 * between the check and this batch fails the whole batch on the primary key,
 * so nothing is half-written.
 */
export function claimHostnames(db: D1Database, tenantId: string, hostnames: string[]): D1PreparedStatement[] {
  return hostnames.map((hostname) =>
    db.prepare("INSERT INTO hostnames (hostname, tenant_id) VALUES (?, ?)").bind(hostname, tenantId),
  );
}

export function releaseHostnames(db: D1Database, tenantId: string, hostnames: string[]): D1PreparedStatement[] {
  return hostnames.map((hostname) =>
    db.prepare("DELETE FROM hostnames WHERE hostname = ? AND tenant_id = ?").bind(hostname, tenantId),
  );
}

export function releaseAllHostnames(db: D1Database, tenantId: string): D1PreparedStatement {
  return db.prepare("DELETE FROM hostnames WHERE tenant_id = ?").bind(tenantId);
}
