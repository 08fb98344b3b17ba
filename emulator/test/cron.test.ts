import { describe, expect, it } from "vitest";
import { CronExpression, type CronSchedule, nextAfter, parseCron } from "../../cloudflare-api/cron";

const schedule = (cron: string): CronSchedule => {
  const parsed = parseCron(cron);
  if (!parsed.ok) throw new Error(`${cron}: ${parsed.reason}`);
  return parsed.schedule;
};

/** The next `count` times the expression fires after `from`, as ISO strings. */
function runs(cron: string, from: string, count = 1): string[] {
  const s = schedule(cron);
  const out: string[] = [];
  let at = new Date(from);
  for (let i = 0; i < count; i++) {
    const next = nextAfter(s, at);
    if (next === null) break;
    out.push(next.toISOString());
    at = next;
  }
  return out;
}

describe("the cron grammar: what Cloudflare accepts", () => {
  it.each([
    "* * * * *",
    "*/30 * * * *",
    "0 17 * * sun",
    "0 17 * * 1",
    "10 7 * * mon-fri",
    "10 7 * * 2-6",
    "0 15 1 * *",
    "0 18 * * 6L",
    "0 18 * * friL",
    "59 23 LW * *",
    "0 0 L * *",
    "0 0 15W * *",
    "0 10 * * MON#2",
    "0 10 * * 2#5",
    "0 0 * JAN,jul,Dec *",
    "0 0 * 1-12/3 *",
    "5/15 * * * *",
    "0-59/59 0,12 1,15,L * *",
    "* * * * 7",
    "* * * * L",
    "  0   0 * * *  ",
  ])("accepts %s", (cron) => {
    expect(parseCron(cron).ok).toBe(true);
    expect(CronExpression.safeParse(cron).success).toBe(true);
  });

  it.each([
    ["", "5 fields"],
    ["* * * *", "5 fields"],
    ["* * * * * *", "5 fields"],
    ["0 22 * * 0", "day of week"],
    ["60 * * * *", "minute"],
    ["* 24 * * *", "hour"],
    ["* * 0 * *", "day of month"],
    ["* * 32 * *", "day of month"],
    ["* * * 13 *", "month"],
    ["* * * * 8", "day of week"],
    ["* * ? * *", "day of month"],
    ["* * * * ?", "day of week"],
    ["*/0 * * * *", "step"],
    ["*/60 * * * *", "step"],
    ["1/2/3 * * * *", "'/'"],
    ["5-1 * * * *", "ends before"],
    ["1-2-3 * * * *", "range"],
    ["1,,2 * * * *", "empty"],
    ["L * * * *", "minute"],
    ["* * * * 1W", "day of week"],
    ["* * * L *", "month"],
    ["* * 32W * *", "day of month"],
    ["* * * * MON#0", "1-5"],
    ["* * * * MON#6", "1-5"],
    ["* * * * 8L", "day of week"],
    ["* * * * MONDAY", "day of week"],
    ["* * * JANUARY *", "month"],
    ["* * * * SUN-MON-TUE", "range"],
    ["a * * * *", "minute"],
    ["-1 * * * *", "minute"],
    ["1.5 * * * *", "minute"],
  ])("refuses %j, saying why", (cron, why) => {
    const parsed = parseCron(cron);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toContain(why);
    expect(CronExpression.safeParse(cron).success).toBe(false);
  });
});

describe("nextAfter: when an expression fires next (UTC)", () => {
  it("is strictly after the time given, on a whole minute", () => {
    expect(runs("* * * * *", "2026-03-01T10:00:00.000Z", 2)).toEqual([
      "2026-03-01T10:01:00.000Z",
      "2026-03-01T10:02:00.000Z",
    ]);
    expect(runs("* * * * *", "2026-03-01T10:00:59.999Z")).toEqual(["2026-03-01T10:01:00.000Z"]);
  });

  it("steps and lists within the hour, then on into the next hour and day", () => {
    expect(runs("*/30 * * * *", "2026-03-01T23:10:00Z", 3)).toEqual([
      "2026-03-01T23:30:00.000Z",
      "2026-03-02T00:00:00.000Z",
      "2026-03-02T00:30:00.000Z",
    ]);
    expect(runs("5/20 9,17 * * *", "2026-03-01T09:45:00Z", 3)).toEqual([
      "2026-03-01T17:05:00.000Z",
      "2026-03-01T17:25:00.000Z",
      "2026-03-01T17:45:00.000Z",
    ]);
  });

  it("crosses month and year ends", () => {
    expect(runs("0 0 1 * *", "2026-01-31T23:59:00Z", 2)).toEqual([
      "2026-02-01T00:00:00.000Z",
      "2026-03-01T00:00:00.000Z",
    ]);
    expect(runs("30 12 31 * *", "2026-04-01T00:00:00Z", 2)).toEqual([
      "2026-05-31T12:30:00.000Z",
      "2026-07-31T12:30:00.000Z",
    ]);
    expect(runs("59 23 31 12 *", "2026-12-31T23:59:00Z")).toEqual(["2027-12-31T23:59:00.000Z"]);
  });

  it("takes the last day of each month, leap years included", () => {
    expect(runs("0 0 L * *", "2028-01-15T00:00:00Z", 3)).toEqual([
      "2028-01-31T00:00:00.000Z",
      "2028-02-29T00:00:00.000Z",
      "2028-03-31T00:00:00.000Z",
    ]);
    expect(runs("0 0 L 2 *", "2026-01-01T00:00:00Z")).toEqual(["2026-02-28T00:00:00.000Z"]);
    expect(runs("0 0 29 2 *", "2026-01-01T00:00:00Z")).toEqual(["2028-02-29T00:00:00.000Z"]);
  });

  it("finds the weekday nearest a day without leaving the month, and the last weekday", () => {
    // 2026-08-01 is a Saturday: 1W is Monday the 3rd, not Friday July 31st.
    expect(runs("0 0 1W 8 *", "2026-07-01T00:00:00Z")).toEqual(["2026-08-03T00:00:00.000Z"]);
    // 2026-08-15 is a Saturday: 15W is Friday the 14th; 2026-03-15 is a Sunday: Monday the 16th.
    expect(runs("0 0 15W 8 *", "2026-07-01T00:00:00Z")).toEqual(["2026-08-14T00:00:00.000Z"]);
    expect(runs("0 0 15W 3 *", "2026-01-01T00:00:00Z")).toEqual(["2026-03-16T00:00:00.000Z"]);
    // 2026-05-31 is a Sunday: 31W is Friday the 29th; LW of May 2026 too; 2026-01-31 is a Saturday: LW the 30th.
    expect(runs("0 0 31W 5 *", "2026-01-01T00:00:00Z")).toEqual(["2026-05-29T00:00:00.000Z"]);
    expect(runs("59 23 LW * *", "2026-05-01T00:00:00Z")).toEqual(["2026-05-29T23:59:00.000Z"]);
    expect(runs("59 23 LW * *", "2026-01-01T00:00:00Z")).toEqual(["2026-01-30T23:59:00.000Z"]);
    // 30W in February never fires (the day is past the month's end).
    expect(runs("0 0 30W 2 *", "2026-01-01T00:00:00Z")).toEqual([]);
  });

  it("numbers weekdays 1 (Sunday) to 7 (Saturday), with names, nL and n#k", () => {
    // 2026-03-01 is a Sunday.
    expect(runs("0 17 * * 1", "2026-02-28T00:00:00Z")).toEqual(["2026-03-01T17:00:00.000Z"]);
    expect(runs("0 17 * * sun", "2026-02-28T00:00:00Z")).toEqual(["2026-03-01T17:00:00.000Z"]);
    expect(runs("0 0 * * 7", "2026-03-01T00:00:00Z")).toEqual(["2026-03-07T00:00:00.000Z"]);
    expect(runs("0 0 * * L", "2026-03-01T00:00:00Z")).toEqual(["2026-03-07T00:00:00.000Z"]);
    expect(runs("10 7 * * mon-fri", "2026-03-06T08:00:00Z", 2)).toEqual([
      "2026-03-09T07:10:00.000Z",
      "2026-03-10T07:10:00.000Z",
    ]);
    // The last Friday of March 2026 is the 27th, of April the 24th.
    expect(runs("0 18 * * friL", "2026-03-01T00:00:00Z", 2)).toEqual([
      "2026-03-27T18:00:00.000Z",
      "2026-04-24T18:00:00.000Z",
    ]);
    // The second Monday of March 2026 is the 9th; a fifth Monday: March 30th, then June 29th.
    expect(runs("0 10 * * MON#2", "2026-03-01T00:00:00Z")).toEqual(["2026-03-09T10:00:00.000Z"]);
    expect(runs("0 10 * * 2#5", "2026-03-01T00:00:00Z", 2)).toEqual([
      "2026-03-30T10:00:00.000Z",
      "2026-06-29T10:00:00.000Z",
    ]);
  });

  it("matches either day field when both are restricted, both when one starts with *", () => {
    // The 13th or any Friday: Friday March 6th 2026 comes first, then the 13th (itself a Friday), then the 20th.
    expect(runs("0 0 13 * fri", "2026-03-01T00:00:00Z", 3)).toEqual([
      "2026-03-06T00:00:00.000Z",
      "2026-03-13T00:00:00.000Z",
      "2026-03-20T00:00:00.000Z",
    ]);
    // Odd days (*/2 starts with *) that are Fridays: March 13th and 27th.
    expect(runs("0 0 */2 * fri", "2026-03-01T00:00:00Z", 2)).toEqual([
      "2026-03-13T00:00:00.000Z",
      "2026-03-27T00:00:00.000Z",
    ]);
  });

  it("answers null for an expression that never fires", () => {
    expect(nextAfter(schedule("0 0 30 2 *"), new Date("2026-01-01T00:00:00Z"))).toBeNull();
    expect(nextAfter(schedule("0 0 31 4,6,9,11 *"), new Date("2026-01-01T00:00:00Z"))).toBeNull();
  });
});
