import { z } from "zod";

/**
 * A rollout's progress, kept on its row (migrations/0011_rollout_counts.sql):
 * how many of its items are in each state, so a round of the Rollout object
 * (every 500 ms) reads one row rather than counting every item. Every change
 * of an item's state goes through the statements here, in the same D1 batch
 * as the item's own write, so the counts cannot drift from the items.
 */

/** An item's deploy: waiting, handed to its tenant's operations object, or ended. */
export const ITEM_STATES = ["pending", "submitted", "succeeded", "failed"] as const;
export type RolloutItemState = (typeof ITEM_STATES)[number];

/** An item's rollback: `skipped` never submitted (left as it is); the others as a deploy's. */
export const ROLLBACK_STATES = ["skipped", "pending", "submitted", "succeeded", "failed"] as const;
export type RollbackState = (typeof ROLLBACK_STATES)[number];

const Count = z.number().int().nonnegative();

/** The count columns of a rollouts row. An item not marked for a rollback yet (rollback_state null) is in no rollback count. */
export const RolloutCountColumns = z.object({
  items_pending: Count,
  items_submitted: Count,
  items_succeeded: Count,
  items_failed: Count,
  canary_pending: Count,
  canary_submitted: Count,
  canary_succeeded: Count,
  canary_failed: Count,
  rollback_skipped: Count,
  rollback_pending: Count,
  rollback_submitted: Count,
  rollback_succeeded: Count,
  rollback_failed: Count,
});
export type RolloutCountColumns = z.infer<typeof RolloutCountColumns>;

export type ItemCounts = Record<RolloutItemState, number>;
export type RolloutCounts = {
  /** Every item's deploy. */
  all: ItemCounts;
  /** The canary batch's deploys. */
  canary: ItemCounts;
  rollback: Record<RollbackState, number>;
};

/** The counts a row holds. */
export function countsOf(row: RolloutCountColumns): RolloutCounts {
  return {
    all: {
      pending: row.items_pending,
      submitted: row.items_submitted,
      succeeded: row.items_succeeded,
      failed: row.items_failed,
    },
    canary: {
      pending: row.canary_pending,
      submitted: row.canary_submitted,
      succeeded: row.canary_succeeded,
      failed: row.canary_failed,
    },
    rollback: {
      skipped: row.rollback_skipped,
      pending: row.rollback_pending,
      submitted: row.rollback_submitted,
      succeeded: row.rollback_succeeded,
      failed: row.rollback_failed,
    },
  };
}

/** The rollout's counts now: one row, by primary key. */
export async function rolloutCounts(db: D1Database, id: string): Promise<RolloutCounts> {
  const columns = Object.keys(RolloutCountColumns.shape).join(", ");
  const row = await db.prepare(`SELECT ${columns} FROM rollouts WHERE id = ?`).bind(id).first();
  if (row === null) throw new Error(`no rollout ${id}`);
  return countsOf(RolloutCountColumns.parse(row));
}

/**
 * Each count of a state, less one if the item was in it (`was`: a boolean
 * SQL expression of the item's state before), plus one if it goes into it
 * (?1, the new state); times `weight` (an SQL factor: the item's canary
 * flag, for the canary's counts).
 */
const moves = (prefix: string, states: readonly string[], was: (state: string) => string, weight = "") =>
  states.map((state) => {
    const column = `${prefix}_${state}`;
    return `${column} = ${column} + ${weight}((?1 = '${state}') - (${was(state)}))`;
  });

const countMove = (sets: readonly string[]) =>
  `UPDATE rollouts SET ${sets.join(", ")} FROM rollout_items AS i
   WHERE rollouts.id = ?2 AND i.rollout_id = ?2 AND i.tenant_id = ?3`;

/**
 * What a change of one item's deploy state, and of its rollback state, does
 * to the row's counts (?1 the new state, ?2 the rollout, ?3 the tenant): the
 * row and the item by their primary keys.
 */
export const COUNT_MOVE_SQL = {
  deploy: countMove([
    ...moves("items", ITEM_STATES, (state) => `i.state = '${state}'`),
    ...moves("canary", ITEM_STATES, (state) => `i.state = '${state}'`, "i.canary * "),
  ]),
  rollback: countMove(moves("rollback", ROLLBACK_STATES, (state) => `i.rollback_state IS '${state}'`)),
};

/**
 * The row's counts moved for one item going to `to`: it reads the item's
 * state from before, so it goes first, and the item's own write after it,
 * in one batch (answers both). An item that does not exist counts nowhere.
 */
function withCounts(
  db: D1Database,
  of: keyof typeof COUNT_MOVE_SQL,
  item: { rolloutId: string; tenantId: string; to: string },
  itemWrite: D1PreparedStatement,
): D1PreparedStatement[] {
  const counts = db.prepare(COUNT_MOVE_SQL[of]).bind(item.to, item.rolloutId, item.tenantId);
  return [counts, itemWrite];
}

/** An item's deploy state becoming `to`, with the counts: statements for one batch. */
export const withItemCounts = (
  db: D1Database,
  item: { rolloutId: string; tenantId: string; to: RolloutItemState },
  itemWrite: D1PreparedStatement,
) => withCounts(db, "deploy", item, itemWrite);

/** An item's rollback state becoming `to` (from none, for an item not marked yet), with the counts: statements for one batch. */
export const withRollbackCounts = (
  db: D1Database,
  item: { rolloutId: string; tenantId: string; to: RollbackState },
  itemWrite: D1PreparedStatement,
) => withCounts(db, "rollback", item, itemWrite);
