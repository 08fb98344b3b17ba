import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import { unstable_readConfig } from "wrangler";

/** A command-line number that must be a positive integer, or the fallback when it is absent. */
export function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1) throw new Error(`--${name} must be a positive integer, not "${raw}"`);
  return n;
}

/** `--runners`: how many tenant runners run tenants' code, as `npm run dev` has them (0, the default: the emulator). */
export function runnersOption(raw: string | undefined): number {
  const runners = raw === undefined ? 0 : Number(raw);
  if (!/^\d+$/.test(raw ?? "0") || runners > 8) throw new Error(`--runners must be 0 to 8, not "${raw}"`);
  return runners;
}

/** `maxSeconds` → `max-seconds`: an option's name on the command line. */
const flagOf = (name: string) => name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);

export type BenchArgs<Counts extends Record<string, number>, Text extends string> = { [K in keyof Counts]: number } & {
  [K in Text]: string | undefined;
} & { writeDocs: boolean };

/**
 * A bench's command line: each of `counts` a positive integer (`--max-seconds`
 * for `maxSeconds`), its default the value given; `text`, strings passed as
 * they are; and `--write-docs`, `--help` (undefined: show the usage), as
 * every bench has them. Anything else is refused.
 */
export function parseBenchArgs<Counts extends Record<string, number>, Text extends string = never>(
  counts: Counts,
  text: readonly Text[] = [],
): BenchArgs<Counts, Text> | undefined {
  const names = [...Object.keys(counts), ...text];
  const options: ParseArgsOptionsConfig = {
    ...Object.fromEntries(names.map((name) => [flagOf(name), { type: "string" as const }])),
    "write-docs": { type: "boolean", default: false },
    help: { type: "boolean", short: "h", default: false },
  };
  const { values } = parseArgs({ options, strict: true });
  if (values.help === true) return undefined;
  const raw = (name: string) => values[flagOf(name)] as string | undefined;
  return {
    ...Object.fromEntries(
      Object.entries(counts).map(([name, fallback]) => [name, positiveInt(flagOf(name), raw(name), fallback)]),
    ),
    ...Object.fromEntries(text.map((name) => [name, raw(name)])),
    writeDocs: values["write-docs"] === true,
  } as BenchArgs<Counts, Text>;
}

/** The account and namespace a bench front Worker's DISPATCHER binding points at: its props, read from its config. */
export function dispatcherScope(configPath: string): { accountId: string; namespace: string } {
  const binding = unstable_readConfig({ config: configPath }).services?.find(
    (s: { binding: string }) => s.binding === "DISPATCHER",
  );
  const props = binding?.props as { accountId?: unknown; namespace?: unknown } | undefined;
  if (typeof props?.accountId !== "string" || typeof props.namespace !== "string") {
    throw new Error(`${configPath}: the DISPATCHER binding needs props { accountId, namespace }`);
  }
  return { accountId: props.accountId, namespace: props.namespace };
}
