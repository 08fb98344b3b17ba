import type { RolloutItemState } from "./rollouts";
import { RolloutRow } from "./rollouts";

/** Where a page of rollouts starts: after this one in the listing's order (newest first). */
export type RolloutPosition = { createdAt: string; id: string };

/** Rollouts newest first (by creation, then id), after `after`; one more than `limit` to tell whether more follow. */
export async function listRollouts(
  db: D1Database,
  page: { after?: RolloutPosition | undefined; limit: number },
): Promise<RolloutRow[]> {
  const after = page.after;
  const statement =
    after === undefined
      ? db.prepare("SELECT * FROM rollouts ORDER BY created_at DESC, id DESC LIMIT ?").bind(page.limit + 1)
      : db
          .prepare(
            `SELECT * FROM rollouts WHERE created_at < ? OR (created_at = ? AND id < ?)
             ORDER BY created_at DESC, id DESC LIMIT ?`,
          )
          .bind(after.createdAt, after.createdAt, after.id, page.limit + 1);
  const { results } = await statement.all();
  return results.map((row) => RolloutRow.parse(row));
}

export type ItemCounts = Record<RolloutItemState, number>;
export type RolloutItemCounts = { all: ItemCounts; canary: ItemCounts };

export const noItems = (): ItemCounts => ({ pending: 0, submitted: 0, succeeded: 0, failed: 0 });

/** How many items of each rollout are in each state, all of them and the canary's: one query for a page of rollouts. */
export async function itemCountsOfMany(
  db: D1Database,
  ids: readonly string[],
): Promise<Map<string, RolloutItemCounts>> {
  const counts = new Map<string, RolloutItemCounts>(ids.map((id) => [id, { all: noItems(), canary: noItems() }]));
  if (ids.length === 0) return counts;
  const { results } = await db
    .prepare(
      `SELECT rollout_id, canary, state, COUNT(*) AS n FROM rollout_items
       WHERE rollout_id IN (${ids.map(() => "?").join(", ")}) GROUP BY rollout_id, canary, state`,
    )
    .bind(...ids)
    .all<{ rollout_id: string; canary: number; state: RolloutItemState; n: number }>();
  for (const row of results) {
    const rollout = counts.get(row.rollout_id);
    if (rollout === undefined) continue;
    rollout.all[row.state] += row.n;
    if (row.canary === 1) rollout.canary[row.state] += row.n;
  }
  return counts;
}
