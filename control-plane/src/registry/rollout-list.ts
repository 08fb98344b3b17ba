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
