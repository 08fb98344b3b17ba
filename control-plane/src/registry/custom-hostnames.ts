import { z } from "zod";
import { CustomHostname } from "../../../cloudflare-api/custom-hostnames";
import type { HostnameState } from "./hostnames";

/**
 * The custom hostname recorded on a tenant's hostname claim (migrations/0006): its id on the
 * platform's zone, the API's last answer, and how its checks went.
 */
const Row = z.object({
  hostname: z.string(),
  state: z.enum(["adding", "live", "removing"]),
  custom_hostname_id: z.string().nullable(),
  custom_hostname: z
    .string()
    .nullable()
    .transform((json) => (json === null ? null : CustomHostname.parse(JSON.parse(json)))),
  checked_at: z.string().nullable(),
  check_attempts: z.number().int(),
  live_at: z.string().nullable(),
  check_failure: z.string().nullable(),
});
export type CustomHostnameRow = z.output<typeof Row> & { state: HostnameState };

/** Every claim of the tenant with what is recorded of its custom hostname (nulls for none yet). */
export async function customHostnameRows(db: D1Database, tenantId: string): Promise<CustomHostnameRow[]> {
  return (await customHostnameRowsOfMany(db, [tenantId])).get(tenantId) ?? [];
}

/** The same for many tenants in one query (a page of tenants). */
export async function customHostnameRowsOfMany(
  db: D1Database,
  tenantIds: readonly string[],
): Promise<Map<string, CustomHostnameRow[]>> {
  if (tenantIds.length === 0) return new Map();
  return customHostnameRowsFrom(await selectCustomHostnameRowsOfMany(db, tenantIds).all(), tenantIds);
}

/** The select of customHostnameRowsOfMany (at least one id), to read it in a batch with other reads. */
export function selectCustomHostnameRowsOfMany(db: D1Database, tenantIds: readonly string[]): D1PreparedStatement {
  return db
    .prepare(
      `SELECT tenant_id, hostname, state, custom_hostname_id, custom_hostname, checked_at, check_attempts, live_at,
         check_failure
       FROM hostnames WHERE tenant_id IN (${tenantIds.map(() => "?").join(",")}) ORDER BY hostname`,
    )
    .bind(...tenantIds);
}

/** What that select gave, by tenant (each of `tenantIds` present). */
export function customHostnameRowsFrom(
  result: D1Result,
  tenantIds: readonly string[],
): Map<string, CustomHostnameRow[]> {
  const rows = new Map<string, CustomHostnameRow[]>(tenantIds.map((id) => [id, []]));
  for (const row of result.results as { tenant_id: string }[]) rows.get(row.tenant_id)?.push(Row.parse(row));
  return rows;
}

/**
 * Records an answer of the API for the claim: its id, the answer, when it was read, one more
 * check, and, the first time it is seen live, when. Only while the claim is still this tenant's.
 */
export function recordCustomHostname(
  db: D1Database,
  tenantId: string,
  answer: CustomHostname,
  at: { checkedAt: string; liveAt: string | null },
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE hostnames SET custom_hostname_id = ?, custom_hostname = ?, checked_at = ?,
         check_attempts = check_attempts + 1, live_at = COALESCE(live_at, ?), check_failure = NULL
       WHERE hostname = ? AND tenant_id = ?`,
    )
    .bind(answer.id, JSON.stringify(answer), at.checkedAt, at.liveAt, answer.hostname, tenantId);
}

/** The checks stopped without the hostname going live: why, for the tenant to read. */
export function recordCheckFailure(db: D1Database, tenantId: string, hostname: string, failure: string) {
  return db
    .prepare("UPDATE hostnames SET check_failure = ? WHERE hostname = ? AND tenant_id = ?")
    .bind(failure, hostname, tenantId);
}

/** Checks start over (validation was asked for again): no attempts yet, no failure. */
export function restartChecks(db: D1Database, tenantId: string, hostname: string): D1PreparedStatement {
  return db
    .prepare("UPDATE hostnames SET check_attempts = 0, check_failure = NULL WHERE hostname = ? AND tenant_id = ?")
    .bind(hostname, tenantId);
}

/** The custom hostname is deleted: nothing of it stays on the claim. */
export function forgetCustomHostname(db: D1Database, tenantId: string, hostname: string): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE hostnames SET custom_hostname_id = NULL, custom_hostname = NULL, checked_at = NULL, check_attempts = 0,
         live_at = NULL, check_failure = NULL
       WHERE hostname = ? AND tenant_id = ?`,
    )
    .bind(hostname, tenantId);
}
