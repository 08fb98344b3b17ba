import { nextAfter, parseCron } from "../../../../cloudflare-api/cron";
import type { StoreContext } from "./context";
import { insertRow, META, SCRIPT_SCHEDULES, type ScheduleRow } from "./schema";

/**
 * When the account's Cron Triggers are due, for the store's one alarm. The store keeps the time up
 * to which every trigger has been run (`schedules_checked_at`); a trigger is next due at its first
 * minute after that time, or after its own creation if later, so a schedule added now never fires
 * for a minute that had passed. An alarm that runs at last fires what was due once (production does
 * not run missed minutes again), whatever it missed.
 */

const CHECKED_AT = "schedules_checked_at";
/** When the alarm was set for: an alarm run before then (a test's) counts as that time. */
const ALARM_AT = "schedules_alarm_at";
const ACCOUNT_ID = "account_id";

/**
 * The store's own account (the store is one account's, named by its id, which the object cannot read
 * back): recorded by the first schedules PUT, which every trigger comes after.
 */
export function recordAccountId({ sql }: StoreContext, accountId: string): void {
  insertRow(sql, META, { key: ACCOUNT_ID, value: accountId });
}

function readAccountId({ sql }: StoreContext): string | null {
  const row = sql.exec<{ value: string }>(`SELECT value FROM ${META.name} WHERE key = ?`, ACCOUNT_ID).toArray()[0];
  return row?.value ?? null;
}

/** One firing of one script's trigger. */
export interface DueTrigger {
  accountId: string;
  namespace: string;
  script: string;
  cron: string;
  scheduledTime: number;
}

function readTime({ sql }: StoreContext, key: string): number {
  const row = sql.exec<{ value: string }>(`SELECT value FROM ${META.name} WHERE key = ?`, key).toArray()[0];
  return row === undefined ? 0 : Number(row.value);
}

const writeTime = ({ sql }: StoreContext, key: string, time: number) =>
  insertRow(sql, META, { key, value: String(time) });

/** Each trigger with the time it is next due at (none for an expression that never fires). */
function nextRuns(ctx: StoreContext): DueTrigger[] {
  const checkedAt = readTime(ctx, CHECKED_AT);
  const accountId = readAccountId(ctx);
  if (accountId === null) return [];
  return ctx.sql
    .exec<ScheduleRow>(`SELECT * FROM ${SCRIPT_SCHEDULES.name}`)
    .toArray()
    .flatMap((row) => {
      const parsed = parseCron(row.cron);
      if (!parsed.ok) return [];
      const next = nextAfter(parsed.schedule, new Date(Math.max(checkedAt, Date.parse(row.created_on))));
      return next === null
        ? []
        : [{ accountId, namespace: row.namespace, script: row.script, cron: row.cron, scheduledTime: next.getTime() }];
    });
}

/** When the alarm should next go off (null: no trigger is ever due), recorded as what it was set for. */
export function nextAlarm(ctx: StoreContext): number | null {
  const times = nextRuns(ctx).map((run) => run.scheduledTime);
  const next = times.length === 0 ? null : Math.min(...times);
  if (next !== null) writeTime(ctx, ALARM_AT, next);
  return next;
}

/**
 * The triggers due by now (or by the time the alarm was set for, if that is later), each once,
 * recorded as run: the next call finds them due only at their following minute.
 */
export function takeDue(ctx: StoreContext, now: number): DueTrigger[] {
  const upTo = Math.max(now, readTime(ctx, ALARM_AT));
  const due = nextRuns(ctx).filter((run) => run.scheduledTime <= upTo);
  writeTime(ctx, CHECKED_AT, upTo);
  return due;
}
