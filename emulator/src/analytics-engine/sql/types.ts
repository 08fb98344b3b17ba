import { SqlRefusal } from "./refusal";

/** The ClickHouse types the emulator's answers carry in `meta`. */
export type SqlType =
  | "String"
  | "Float64"
  | "UInt8"
  | "UInt16"
  | "UInt32"
  | "UInt64"
  | "Int64"
  | "DateTime"
  | "Interval";

const UNSIGNED: readonly SqlType[] = ["UInt8", "UInt16", "UInt32", "UInt64"];

export const isInteger = (type: SqlType) => UNSIGNED.includes(type) || type === "Int64";
export const isNumeric = (type: SqlType) => isInteger(type) || type === "Float64";

/** The narrowest unsigned type of a whole number literal, as ClickHouse types one. */
export function literalIntegerType(value: number): SqlType {
  if (value < 0) return "Int64";
  if (value < 2 ** 8) return "UInt8";
  if (value < 2 ** 16) return "UInt16";
  if (value < 2 ** 32) return "UInt32";
  return "UInt64";
}

/** What `if()` of two branches, or arithmetic of two operands, gives. */
export function commonType(a: SqlType, b: SqlType, what: string): SqlType {
  if (a === b) return a;
  if (isNumeric(a) && isNumeric(b)) {
    if (a === "Float64" || b === "Float64") return "Float64";
    if (UNSIGNED.includes(a) && UNSIGNED.includes(b))
      return UNSIGNED[Math.max(UNSIGNED.indexOf(a), UNSIGNED.indexOf(b))] as SqlType;
    return "Int64";
  }
  throw new SqlRefusal(`${what}: ${a} and ${b} have no common type`);
}

/** Whether two values of these types can be compared (a DateTime with a number: seconds). */
export function comparable(a: SqlType, b: SqlType): boolean {
  const timeOrNumber = (t: SqlType) => isNumeric(t) || t === "DateTime";
  return a === b ? a !== "Interval" : timeOrNumber(a) && timeOrNumber(b);
}

/** `YYYY-MM-DD hh:mm:ss` (UTC), as ClickHouse writes a DateTime. */
export function formatDateTime(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 19).replace("T", " ");
}

/**
 * Seconds since the epoch of a time written as `toDateTime` takes it:
 * `YYYY-MM-DD hh:mm:ss`, `YYYY-MM-DD`, ISO 8601 in UTC (`...T...Z`), or a
 * number of seconds; all in UTC.
 */
export function parseDateTime(text: string): number {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const match = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}:\d{2})(?:\.\d+)?Z?)?$/.exec(trimmed);
  const ms = match === null ? Number.NaN : Date.parse(`${match[1]}T${match[2] ?? "00:00:00"}Z`);
  if (Number.isNaN(ms))
    throw new SqlRefusal(`cannot read ${JSON.stringify(text.slice(0, 40))} as a DateTime (YYYY-MM-DD hh:mm:ss, UTC)`);
  return Math.floor(ms / 1000);
}

/** A value SQLite handed back, as ClickHouse's JSON writes one of this type. */
export function outputValue(value: unknown, type: SqlType): string | number | null {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "String":
      return String(value);
    case "DateTime":
      return formatDateTime(Number(value));
    case "UInt64":
    case "Int64":
      // 64-bit integers are strings in ClickHouse's JSON (they may not fit a JavaScript number).
      return String(Math.trunc(Number(value)));
    case "Float64":
      return Number(value);
    default:
      return Math.trunc(Number(value));
  }
}
