import { z } from "zod";
import { now } from "./rows";

export const RolloutRow = z.object({
  id: z.string(),
  script_key: z.string(),
  filter: z.string(),
  state: z.enum(["running", "completed", "failed"]),
  total: z.number().int(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type RolloutRow = z.infer<typeof RolloutRow>;

export type RolloutItemState = "pending" | "submitted" | "succeeded" | "failed";

/** D1 takes a bounded number of statements per batch: rollouts to thousands of tenants are written in chunks. */
const CHUNK = 50;

export async function insertRollout(
  db: D1Database,
  rollout: { id: string; scriptKey: string; filter: unknown; tenantIds: string[] },
): Promise<void> {
  const at = now();
  const items = rollout.tenantIds.map((tenantId) =>
    db
      .prepare("INSERT INTO rollout_items (rollout_id, tenant_id, state) VALUES (?, ?, 'pending')")
      .bind(rollout.id, tenantId),
  );
  // The items first, the rollout row last: a rollout is visible (and run) only once all its items are written.
  for (let i = 0; i < items.length; i += CHUNK) await db.batch(items.slice(i, i + CHUNK));
  await db
    .prepare(
      "INSERT INTO rollouts (id, script_key, filter, state, total, created_at, updated_at) VALUES (?, ?, ?, 'running', ?, ?, ?)",
    )
    .bind(rollout.id, rollout.scriptKey, JSON.stringify(rollout.filter), rollout.tenantIds.length, at, at)
    .run();
}

export async function getRollout(db: D1Database, id: string): Promise<RolloutRow | null> {
  const row = await db.prepare("SELECT * FROM rollouts WHERE id = ?").bind(id).first();
  return row === null ? null : RolloutRow.parse(row);
}

export async function rolloutCounts(db: D1Database, id: string): Promise<Record<RolloutItemState, number>> {
  const { results } = await db
    .prepare("SELECT state, COUNT(*) AS n FROM rollout_items WHERE rollout_id = ? GROUP BY state")
    .bind(id)
    .all<{ state: RolloutItemState; n: number }>();
  const counts = { pending: 0, submitted: 0, succeeded: 0, failed: 0 };
  for (const row of results) counts[row.state] = row.n;
  return counts;
}

export async function rolloutFailures(db: D1Database, id: string, limit = 100) {
  const { results } = await db
    .prepare(
      "SELECT tenant_id, error FROM rollout_items WHERE rollout_id = ? AND state = 'failed' ORDER BY tenant_id LIMIT ?",
    )
    .bind(id, limit)
    .all<{ tenant_id: string; error: string | null }>();
  return results.map((row) => ({ tenantId: row.tenant_id, message: row.error ?? "failed" }));
}

export async function pendingItems(db: D1Database, id: string, limit: number): Promise<string[]> {
  const { results } = await db
    .prepare(
      "SELECT tenant_id FROM rollout_items WHERE rollout_id = ? AND state = 'pending' ORDER BY tenant_id LIMIT ?",
    )
    .bind(id, limit)
    .all<{ tenant_id: string }>();
  return results.map((row) => row.tenant_id);
}

/** Submitted items whose deploy has ended, with how. */
export async function settledSubmissions(db: D1Database, id: string) {
  const { results } = await db
    .prepare(
      `SELECT i.tenant_id, o.state, o.error FROM rollout_items i JOIN operations o ON o.id = i.operation_id
       WHERE i.rollout_id = ? AND i.state = 'submitted' AND o.state IN ('succeeded', 'failed')`,
    )
    .bind(id)
    .all<{ tenant_id: string; state: "succeeded" | "failed"; error: string | null }>();
  return results;
}

export function updateItem(
  db: D1Database,
  rolloutId: string,
  tenantId: string,
  patch: { state: RolloutItemState; operationId?: string; error?: string },
): D1PreparedStatement {
  return db
    .prepare(
      "UPDATE rollout_items SET state = ?, operation_id = COALESCE(?, operation_id), error = COALESCE(?, error) WHERE rollout_id = ? AND tenant_id = ?",
    )
    .bind(patch.state, patch.operationId ?? null, patch.error ?? null, rolloutId, tenantId);
}

export function setRolloutState(db: D1Database, id: string, state: RolloutRow["state"]): D1PreparedStatement {
  return db.prepare("UPDATE rollouts SET state = ?, updated_at = ? WHERE id = ?").bind(state, now(), id);
}

export async function tenantsForRollout(
  db: D1Database,
  filter: { plan?: string; tenants?: string[] },
): Promise<string[]> {
  const where = ["state IN ('active', 'suspended')"];
  const values: unknown[] = [];
  if (filter.plan !== undefined) {
    where.push("plan = ?");
    values.push(filter.plan);
  }
  const { results } = await db
    .prepare(`SELECT id FROM tenants WHERE ${where.join(" AND ")} ORDER BY id`)
    .bind(...values)
    .all<{ id: string }>();
  const ids = results.map((row) => row.id);
  if (filter.tenants === undefined) return ids;
  const wanted = new Set(filter.tenants);
  return ids.filter((id) => wanted.has(id));
}
