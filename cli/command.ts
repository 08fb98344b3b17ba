import type { ParseArgsOptionsConfig } from "node:util";
import { usageError } from "./errors.ts";
import type { Connection } from "./http.ts";
import type { Output } from "./output.ts";
import type { PollOptions } from "./poll.ts";

export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** What every command runs with: where the control plane is, where output goes, how to poll. */
export type Context = { connection: Connection; out: Output; poll: PollOptions };

export type Command = {
  /** `tenants create`, `deploy`: the words that select it. */
  readonly name: string;
  /** Positional arguments, in order, as the usage line shows them. */
  readonly args: readonly string[];
  readonly options: ParseArgsOptionsConfig;
  /** One line per flag, for --help. */
  readonly help: string;
  run(context: Context, values: Values, args: readonly string[]): Promise<void>;
};

export const WAIT_OPTION = { wait: { type: "boolean" } } as const satisfies ParseArgsOptionsConfig;

export function stringOf(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === "string" ? value : undefined;
}

export function stringsOf(values: Values, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
}

export function required(values: Values, name: string): string {
  const value = stringOf(values, name);
  if (value === undefined) throw usageError(`--${name} is required`);
  return value;
}

/** `--var NAME=VALUE`, repeated, as a record. Vars are not secret: a bad one is quoted back. */
export function keyValues(values: Values, name: string): Record<string, string> | undefined {
  const pairs = stringsOf(values, name);
  if (pairs.length === 0) return undefined;
  const record: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.indexOf("=");
    if (at <= 0) throw usageError(`--${name} expects NAME=VALUE, got "${pair}"`);
    record[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return record;
}
