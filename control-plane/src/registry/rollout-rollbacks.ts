import { type RollbackState, withRollbackCounts } from "./rollout-counts";

/**
 * A rollout's rollback, item by item (rollout_items.rollback_*, migration
 * 0005): each tenant the rollout submitted goes back to the version it had
 * before; those it never reached are `skipped`.
 */

/** Items not marked yet whose deploy the rollout submitted (`pending` once marked), or never did (`skipped`). */
const UNMARKED = {
  pending: "rollout_id = ?1 AND rollback_state IS NULL AND operation_id IS NOT NULL",
  skipped: "rollout_id = ?1 AND rollback_state IS NULL AND operation_id IS NULL",
};

/**
 * Marking a rollout's items for its rollback (?1 the rollout), if it is
 * rolling back: the counts first (they count the items not marked yet),
 * then the items. The unmarked items are read through the (rollout_id,
 * rollback_state, tenant_id) index: none once marked.
 */
export const MARK_ROLLBACK_SQL = {
  counts: `UPDATE rollouts SET
    rollback_pending = rollback_pending + (SELECT COUNT(*) FROM rollout_items WHERE ${UNMARKED.pending}),
    rollback_skipped = rollback_skipped + (SELECT COUNT(*) FROM rollout_items WHERE ${UNMARKED.skipped})
    WHERE id = ?1 AND state = 'rolling_back'`,
  items: `UPDATE rollout_items SET rollback_state = CASE WHEN operation_id IS NULL THEN 'skipped' ELSE 'pending' END
    WHERE rollout_id = ?1 AND rollback_state IS NULL AND (SELECT state FROM rollouts WHERE id = ?1) = 'rolling_back'`,
};

/**
 * Gives every item not marked yet its rollback state, if the rollout is
 * rolling back: `pending` if the rollout submitted its deploy (whether that
 * deploy succeeded, failed or still runs: its operation may have made the
 * new version live), `skipped` if it never did; and adds them to the
 * rollout's counts (rollout-counts.ts). Statements for one batch, so it is
 * all or nothing, and marks nothing twice when run again: the transition to
 * `rolling_back` runs them alongside, and each round of the rollback again
 * (for a rollout that went into `rolling_back` before they ran with it).
 */
export function markRollback(db: D1Database, id: string): D1PreparedStatement[] {
  return [db.prepare(MARK_ROLLBACK_SQL.counts).bind(id), db.prepare(MARK_ROLLBACK_SQL.items).bind(id)];
}

/**
 * Items whose rollback waits to be submitted, in id order, with the version
 * each returns to (?1 rollout, ?2 limit): the first `limit` of the
 * (rollout_id, rollback_state, tenant_id) index's pending ones (migration 0011).
 */
export const PENDING_ROLLBACKS_SQL = `SELECT tenant_id, previous_version_id FROM rollout_items
  WHERE rollout_id = ?1 AND rollback_state = 'pending' ORDER BY tenant_id LIMIT ?2`;

export async function pendingRollbacks(db: D1Database, id: string, limit: number) {
  const { results } = await db
    .prepare(PENDING_ROLLBACKS_SQL)
    .bind(id, limit)
    .all<{ tenant_id: string; previous_version_id: string | null }>();
  return results;
}

/** An item's rollback state and what goes with it, and its rollout's counts: statements for one batch. */
export function updateRollback(
  db: D1Database,
  rolloutId: string,
  tenantId: string,
  patch: { state: RollbackState; operationId?: string; error?: string },
): D1PreparedStatement[] {
  const write = db
    .prepare(
      `UPDATE rollout_items SET rollback_state = ?, rollback_operation_id = COALESCE(?, rollback_operation_id),
       rollback_error = COALESCE(?, rollback_error) WHERE rollout_id = ? AND tenant_id = ?`,
    )
    .bind(patch.state, patch.operationId ?? null, patch.error ?? null, rolloutId, tenantId);
  return withRollbackCounts(db, { rolloutId, tenantId, to: patch.state }, write);
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
