import { z } from "zod";

/**
 * The cron expressions Cloudflare's Cron Triggers accept (workers/configuration/cron-triggers,
 * "Supported cron expressions"): five fields, all in UTC, with the Quartz-like extensions
 * Cloudflare lists and no others.
 *
 * | field         | values                        | characters   |
 * | ------------- | ----------------------------- | ------------ |
 * | minute        | 0-59                          | * , - /      |
 * | hour          | 0-23                          | * , - /      |
 * | day of month  | 1-31                          | * , - / L W  |
 * | month         | 1-12, JAN-DEC (any case)      | * , - /      |
 * | day of week   | 1-7 (1 is Sunday), SUN-SAT    | * , - / L #  |
 *
 * Hand-written because no dependency fits: the common parsers (cron-parser, croner) number
 * weekdays 0-6 from Sunday or accept `?` and seconds, so they would accept what Cloudflare
 * refuses (`0 22 * * 0` is Cloudflare's 10100) and refuse what it accepts (`* * * * 7`), and the
 * emulator, the control plane and the CLI must all agree with production on both.
 *
 * Readings where the docs say nothing, chosen as Quartz or Vixie cron do:
 * - `a-b` needs a <= b (no wrap-around ranges); `a/n` runs from a to the field's end.
 * - A day of month and a day of week both restricted (neither field starting with `*`) match
 *   either (Vixie cron); otherwise both must match.
 * - `L` alone in the day-of-week field is Saturday (7), as in Quartz; `nL` is the month's last
 *   weekday n, `n#k` its k-th (k 1-5), `nW` the weekday nearest day n within the month, `LW` the
 *   month's last weekday, `L` in the day of month its last day.
 */

const MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
const WEEKDAYS = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  /** Names standing for min, min + 1, …, case-insensitive. */
  names?: readonly string[];
}

const MINUTE: FieldSpec = { name: "minute", min: 0, max: 59 };
const HOUR: FieldSpec = { name: "hour", min: 0, max: 23 };
const DAY_OF_MONTH: FieldSpec = { name: "day of month", min: 1, max: 31 };
const MONTH: FieldSpec = { name: "month", min: 1, max: 12, names: MONTHS };
const DAY_OF_WEEK: FieldSpec = { name: "day of week", min: 1, max: 7, names: WEEKDAYS };

/** A day-of-month item beyond plain values: the last day, the last weekday, the weekday nearest day n. */
type MonthDayRule = { kind: "last" } | { kind: "last-weekday" } | { kind: "nearest-weekday"; day: number };

/** A day-of-week item beyond plain values: the month's last weekday n, or its k-th. */
type WeekdayRule = { kind: "last"; weekday: number } | { kind: "nth"; weekday: number; nth: number };

/** A parsed expression: the values each field matches, and the day rules that depend on the month. */
export interface CronSchedule {
  readonly cron: string;
  readonly minutes: ReadonlySet<number>;
  readonly hours: ReadonlySet<number>;
  readonly months: ReadonlySet<number>;
  readonly monthDays: ReadonlySet<number>;
  readonly monthDayRules: readonly MonthDayRule[];
  /** Cron's 1-7, 1 being Sunday. */
  readonly weekdays: ReadonlySet<number>;
  readonly weekdayRules: readonly WeekdayRule[];
  /** Whether each day field starts with `*` (Vixie cron's rule for combining them). */
  readonly monthDayStar: boolean;
  readonly weekdayStar: boolean;
}

export type CronParse = { ok: true; schedule: CronSchedule } | { ok: false; reason: string };

class CronSyntaxError extends Error {}

const fail = (reason: string): never => {
  throw new CronSyntaxError(reason);
};

function parseValue(text: string, spec: FieldSpec): number {
  const index = spec.names?.indexOf(text.toUpperCase()) ?? -1;
  if (index >= 0) return spec.min + index;
  if (!/^\d{1,2}$/.test(text)) fail(`'${text}' is not a value of the ${spec.name} field`);
  const value = Number(text);
  if (value < spec.min || value > spec.max) {
    fail(`${value} is out of the ${spec.name} field's range ${spec.min}-${spec.max}`);
  }
  return value;
}

/** `*`, `v`, `a-b`, each optionally `/step`, into the values they stand for. */
function parseRangeItem(item: string, spec: FieldSpec, into: Set<number>): void {
  const [base = "", stepText, extra] = item.split("/");
  if (extra !== undefined) fail(`'${item}' has more than one '/'`);
  let step = 1;
  if (stepText !== undefined) {
    if (!/^\d{1,2}$/.test(stepText)) fail(`'${item}' has a step that is not a number`);
    step = Number(stepText);
    if (step < 1 || step > spec.max) fail(`'${item}' has a step out of 1-${spec.max}`);
  }
  let from: number;
  let to: number;
  if (base === "*") {
    from = spec.min;
    to = spec.max;
  } else if (base.includes("-")) {
    const [a = "", b = "", rest] = base.split("-");
    if (rest !== undefined) fail(`'${item}' is not a range`);
    from = parseValue(a, spec);
    to = parseValue(b, spec);
    if (from > to) fail(`'${item}' is a range that ends before it starts`);
  } else {
    from = parseValue(base, spec);
    to = stepText === undefined ? from : spec.max;
  }
  for (let value = from; value <= to; value += step) into.add(value);
}

function parseList(field: string, spec: FieldSpec, extra?: (item: string) => boolean): Set<number> {
  const values = new Set<number>();
  for (const item of field.split(",")) {
    if (item === "") fail(`the ${spec.name} field has an empty list item`);
    if (extra?.(item)) continue;
    parseRangeItem(item, spec, values);
  }
  return values;
}

function monthDayRule(item: string, rules: MonthDayRule[]): boolean {
  const upper = item.toUpperCase();
  if (upper === "L") rules.push({ kind: "last" });
  else if (upper === "LW") rules.push({ kind: "last-weekday" });
  else if (/^\d{1,2}W$/.test(upper))
    rules.push({ kind: "nearest-weekday", day: parseValue(upper.slice(0, -1), DAY_OF_MONTH) });
  else return false;
  return true;
}

function weekdayRule(item: string, rules: WeekdayRule[], values: Set<number>): boolean {
  const upper = item.toUpperCase();
  if (upper === "L") {
    values.add(7);
    return true;
  }
  const last = /^([A-Z]{3}|\d{1,2})L$/.exec(upper);
  if (last?.[1] !== undefined) {
    rules.push({ kind: "last", weekday: parseValue(last[1], DAY_OF_WEEK) });
    return true;
  }
  const nth = /^([A-Z]{3}|\d{1,2})#(\d{1,2})$/.exec(upper);
  if (nth?.[1] !== undefined && nth[2] !== undefined) {
    const k = Number(nth[2]);
    if (k < 1 || k > 5) fail(`'${item}' asks for a weekday's ${k}th occurrence in a month (1-5)`);
    rules.push({ kind: "nth", weekday: parseValue(nth[1], DAY_OF_WEEK), nth: k });
    return true;
  }
  return false;
}

function parseSchedule(cron: string): CronSchedule {
  const fields = cron.trim().split(/\s+/);
  if (fields.length !== 5 || fields[0] === "") fail(`a cron expression has 5 fields, not ${fields.length}`);
  const [minute = "", hour = "", monthDay = "", month = "", weekday = ""] = fields;
  const monthDayRules: MonthDayRule[] = [];
  const weekdayRules: WeekdayRule[] = [];
  const weekdays = new Set<number>();
  const listed = parseList(weekday, DAY_OF_WEEK, (item) => weekdayRule(item, weekdayRules, weekdays));
  for (const value of listed) weekdays.add(value);
  return {
    cron,
    minutes: parseList(minute, MINUTE),
    hours: parseList(hour, HOUR),
    months: parseList(month, MONTH),
    monthDays: parseList(monthDay, DAY_OF_MONTH, (item) => monthDayRule(item, monthDayRules)),
    monthDayRules,
    weekdays,
    weekdayRules,
    monthDayStar: monthDay.startsWith("*"),
    weekdayStar: weekday.startsWith("*"),
  };
}

/** The expression parsed, or why Cloudflare would refuse it. */
export function parseCron(cron: string): CronParse {
  try {
    return { ok: true, schedule: parseSchedule(cron) };
  } catch (error) {
    if (error instanceof CronSyntaxError) return { ok: false, reason: error.message };
    throw error;
  }
}

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();
/** 1 (Sunday) to 7 (Saturday), as cron numbers them. */
const weekdayOf = (year: number, month: number, day: number) =>
  new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;

/** The weekday (Monday to Friday) nearest `day` without leaving the month, or null past its end. */
function nearestWeekday(year: number, month: number, day: number): number | null {
  const last = daysInMonth(year, month);
  if (day > last) return null;
  const weekday = weekdayOf(year, month, day);
  if (weekday === 7) return day === 1 ? 3 : day - 1;
  if (weekday === 1) return day === last ? day - 2 : day + 1;
  return day;
}

function lastWeekday(year: number, month: number): number {
  const last = daysInMonth(year, month);
  const weekday = weekdayOf(year, month, last);
  return weekday === 7 ? last - 1 : weekday === 1 ? last - 2 : last;
}

function monthDayMatches(s: CronSchedule, year: number, month: number, day: number): boolean {
  if (s.monthDays.has(day)) return true;
  return s.monthDayRules.some((rule) => {
    if (rule.kind === "last") return day === daysInMonth(year, month);
    if (rule.kind === "last-weekday") return day === lastWeekday(year, month);
    return day === nearestWeekday(year, month, rule.day);
  });
}

function weekdayMatches(s: CronSchedule, year: number, month: number, day: number): boolean {
  const weekday = weekdayOf(year, month, day);
  if (s.weekdays.has(weekday)) return true;
  return s.weekdayRules.some((rule) => {
    if (rule.weekday !== weekday) return false;
    if (rule.kind === "last") return day + 7 > daysInMonth(year, month);
    return Math.ceil(day / 7) === rule.nth;
  });
}

function dayMatches(s: CronSchedule, year: number, month: number, day: number): boolean {
  if (!s.months.has(month)) return false;
  const byMonthDay = monthDayMatches(s, year, month, day);
  const byWeekday = weekdayMatches(s, year, month, day);
  return s.monthDayStar || s.weekdayStar ? byMonthDay && byWeekday : byMonthDay || byWeekday;
}

/** How far ahead to look: past 8 years, an expression (`0 0 30 2 *`) never fires. */
const SEARCH_DAYS = 8 * 366;
const MINUTE_MS = 60_000;

/** The first minute strictly after `after` (UTC) the schedule fires at, or null if it never does. */
export function nextAfter(schedule: CronSchedule, after: Date): Date | null {
  const start = new Date(Math.floor(after.getTime() / MINUTE_MS) * MINUTE_MS + MINUTE_MS);
  const hours = [...schedule.hours].sort((a, b) => a - b);
  const minutes = [...schedule.minutes].sort((a, b) => a - b);
  for (let offset = 0; offset < SEARCH_DAYS; offset++) {
    const day = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate() + offset));
    const [year, month, date] = [day.getUTCFullYear(), day.getUTCMonth() + 1, day.getUTCDate()];
    if (!dayMatches(schedule, year, month, date)) continue;
    const earliest = offset === 0 ? start.getUTCHours() * 60 + start.getUTCMinutes() : 0;
    for (const hour of hours) {
      for (const minute of minutes) {
        if (hour * 60 + minute >= earliest) return new Date(day.getTime() + (hour * 60 + minute) * MINUTE_MS);
      }
    }
  }
  return null;
}

/** A cron expression Cloudflare accepts, the reason in the message when not. */
export const CronExpression = z.string().superRefine((cron, ctx) => {
  const parsed = parseCron(cron);
  if (!parsed.ok) ctx.addIssue({ code: "custom", message: `invalid cron expression '${cron}': ${parsed.reason}` });
});
