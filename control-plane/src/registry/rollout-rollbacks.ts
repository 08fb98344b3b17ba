/**
 * A rollout's rollback, item by item (rollout_items.rollback_*, migration
 * 0005): each tenant the rollout submitted goes back to the version it had
 * before; those it never reached are `skipped`.
 */

export type RollbackState = "skipped" | "pending" | "submitted" | "succeeded" | "failed";

/** The state of a rollback item, and what marking will make of one not marked yet. */
const ROLLBACK_STATE = "COALESCE(rollback_state, CASE WHEN operation_id IS NULL THEN 'skipped' ELSE 'pending' END)";

/**
 * Gives every item not marked yet its rollback state: `pending` if the
 * rollout submitted its deploy (whether that deploy succeeded, failed or
 * still runs: its operation may have made the new version live), `skipped`
 * if it never did. One statement, so it is all or nothing, and marks nothing
 * twice when run again.
 */
export function markRollback(db: D1Database, id: string): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE rollout_items SET rollback_state = ${ROLLBACK_STATE} WHERE rollout_id = ? AND rollback_state IS NULL`,
    )
    .bind(id);
}

/** How many items are in each rollback state (of a rollout being rolled back: unmarked items count as they will be marked). */
export async function rollbackCounts(db: D1Database, id: string): Promise<Record<RollbackState, number>> {
  const { results } = await db
    .prepare(`SELECT ${ROLLBACK_STATE} AS state, COUNT(*) AS n FROM rollout_items WHERE rollout_id = ? GROUP BY 1`)
    .bind(id)
    .all<{ state: RollbackState; n: number }>();
  const counts = { skipped: 0, pending: 0, submitted: 0, succeeded: 0, failed: 0 };
  for (const row of results) counts[row.state] = row.n;
  return counts;
}

/** Items whose rollback waits to be submitted, in id order, with the version each returns to. */
export async function pendingRollbacks(db: D1Database, id: string, limit: number) {
  const { results } = await db
    .prepare(
      `SELECT tenant_id, previous_version_id FROM rollout_items
       WHERE rollout_id = ? AND rollback_state = 'pending' ORDER BY tenant_id LIMIT ?`,
    )
    .bind(id, limit)
    .all<{ tenant_id: string; previous_version_id: string | null }>();
  return results;
}

export function updateRollback(
  db: D1Database,
  rolloutId: string,
  tenantId: string,
  patch: { state: RollbackState; operationId?: string; error?: string },
): D1PreparedStatement {
  return db
    .prepare(
      `UPDATE rollout_items SET rollback_state = ?, rollback_operation_id = COALESCE(?, rollback_operation_id),
       rollback_error = COALESCE(?, rollback_error) WHERE rollout_id = ? AND tenant_id = ?`,
    )
    .bind(patch.state, patch.operationId ?? null, patch.error ?? null, rolloutId, tenantId);
}

export async function rollbackFailures(db: D1Database, id: string, limit = 100) {
  const { results } = await db
    .prepare(
      `SELECT tenant_id, rollback_error FROM rollout_items
       WHERE rollout_id = ? AND rollback_state = 'failed' ORDER BY tenant_id LIMIT ?`,
    )
    .bind(id, limit)
    .all<{ tenant_id: string; rollback_error: string | null }>();
  return results.map((row) => ({ tenantId: row.tenant_id, message: row.rollback_error ?? "failed" }));
}
