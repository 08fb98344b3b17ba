import { unstable_readConfig } from "wrangler";

/** A command-line number that must be a positive integer, or the fallback when it is absent. */
export function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || n < 1) throw new Error(`--${name} must be a positive integer, not "${raw}"`);
  return n;
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
