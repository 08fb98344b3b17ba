import type { Schedules } from "../../../../cloudflare-api/schedules";
import { success, type WorkersResult } from "../errors";
import type { StoreContext } from "./context";
import { findScript } from "./rows";
import { recordAccountId } from "./schedule-times";
import { insertRow, SCRIPT_SCHEDULES, type ScheduleRow } from "./schema";

/**
 * A script's Cron Triggers: script-level, as tags are (no version carries them, so changing them
 * makes none), deleted with the script (rows.ts). A PUT replaces the list; an expression kept
 * from the list before keeps its `created_on`.
 */

const scheduleRows = ({ sql }: StoreContext, namespace: string, script: string): ScheduleRow[] =>
  sql
    .exec<ScheduleRow>(
      `SELECT * FROM ${SCRIPT_SCHEDULES.name} WHERE namespace = ? AND script = ? ORDER BY seq`,
      namespace,
      script,
    )
    .toArray();

const answer = (rows: readonly ScheduleRow[]): Schedules => ({
  schedules: rows.map(({ cron, created_on, modified_on }) => ({ cron, created_on, modified_on })),
});

export function getSchedules(ctx: StoreContext, namespace: string, script: string): WorkersResult<Schedules> {
  const found = findScript(ctx, namespace, script);
  return found.ok ? success(answer(scheduleRows(ctx, namespace, script))) : found;
}

/** Replaces the script's schedules with `crons` (already checked against the cron grammar). */
export function putSchedules(
  ctx: StoreContext,
  accountId: string,
  namespace: string,
  script: string,
  crons: readonly string[],
): WorkersResult<Schedules> {
  const found = findScript(ctx, namespace, script);
  if (!found.ok) return found;
  const before = new Map(scheduleRows(ctx, namespace, script).map((row) => [row.cron, row]));
  const now = new Date().toISOString();
  ctx.transaction(() => {
    recordAccountId(ctx, accountId);
    ctx.sql.exec(`DELETE FROM ${SCRIPT_SCHEDULES.name} WHERE namespace = ? AND script = ?`, namespace, script);
    [...new Set(crons)].forEach((cron, seq) => {
      const kept = before.get(cron);
      insertRow(ctx.sql, SCRIPT_SCHEDULES, {
        namespace,
        script,
        cron,
        seq,
        created_on: kept?.created_on ?? now,
        modified_on: kept?.modified_on ?? now,
      });
    });
  });
  return success(answer(scheduleRows(ctx, namespace, script)));
}
