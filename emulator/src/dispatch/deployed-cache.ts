import type { DeployedScript } from "../scripts/deployed-script";

/**
 * What each script's requests run (its active deployment's versions, scripts/deployed-script.ts), kept
 * in the emulator's isolate so that a warm request does not ask the `WorkersStore` Durable Object:
 * that call was most of what the namespace layer cost (docs/benchmarks.md). A missing script is kept
 * too (null), so that a name that is not there costs one lookup, not one per request.
 *
 * The store forgets a script here whenever it changes it (scripts/store.ts: uploads, settings,
 * secrets, deployments, tags, schedules, deletes; a namespace's every script when the namespace
 * goes), after the change is written and before it answers, so the next request runs what the
 * change made. That needs the store to run in this isolate, which workerd does for a Worker's own
 * Durable Object classes; each answer says which isolate made it, and one made elsewhere is used
 * but not kept, so the cache can never serve what another isolate's store has since changed.
 *
 * A lookup in flight when its script changes is not kept either: it may have read the script
 * before the change. Requests for a script that arrive while it is being looked up share that
 * lookup. At most MAX_ENTRIES scripts are kept, the least recently used dropped first.
 */

/** Scripts kept (each a few KiB at most: the runnables hold module names, not bodies). */
const MAX_ENTRIES = 10_000;

interface Entry {
  namespace: string;
  script: string;
  deployed: DeployedScript | null;
}

/** A store's answer, with the isolate that made it (isolateToken). */
export interface DeployedAnswer {
  deployed: DeployedScript | null;
  isolate: string;
}

const entries = new Map<string, Entry>();
const inFlight = new Map<string, { namespace: string; script: string; answer: Promise<DeployedScript | null> }>();
let token: string | undefined;

/** This isolate's own id; made on first use, as workerd allows no random values at global scope. */
export function isolateToken(): string {
  token ??= crypto.randomUUID();
  return token;
}

const keyOf = (accountId: string, namespace: string, script: string) => JSON.stringify([accountId, namespace, script]);

/**
 * The script's active deployment: kept, or asked of the store by `lookUp` (and kept if nothing
 * changed the script meanwhile and the store runs in this isolate).
 */
export function cachedDeployment(
  accountId: string,
  namespace: string,
  script: string,
  lookUp: () => Promise<DeployedAnswer>,
): Promise<DeployedScript | null> {
  const key = keyOf(accountId, namespace, script);
  const kept = entries.get(key);
  if (kept !== undefined) {
    entries.delete(key);
    entries.set(key, kept);
    return Promise.resolve(kept.deployed);
  }
  const pending = inFlight.get(key);
  if (pending !== undefined) return pending.answer;
  const answer = lookUp().then(
    ({ deployed, isolate }) => {
      if (inFlight.get(key)?.answer === answer) {
        inFlight.delete(key);
        if (isolate === isolateToken()) keep(key, { namespace, script, deployed });
      }
      return deployed;
    },
    (error: unknown) => {
      if (inFlight.get(key)?.answer === answer) inFlight.delete(key);
      throw error;
    },
  );
  inFlight.set(key, { namespace, script, answer });
  return answer;
}

function keep(key: string, entry: Entry): void {
  entries.set(key, entry);
  if (entries.size > MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
}

/**
 * Forgets a script (or, with `script` null, every script of a namespace), and any lookup of it in
 * flight. By name only, in every account: the store does not know its account's id in every
 * change, and forgetting another account's script of the same name costs it one lookup, nothing more.
 */
export function forgetDeployed(namespace: string, script: string | null): void {
  const matches = (e: { namespace: string; script: string }) =>
    e.namespace === namespace && (script === null || e.script === script);
  for (const map of [entries, inFlight]) {
    for (const [key, entry] of map) if (matches(entry)) map.delete(key);
  }
}

/** Forgets every script (a store starting, which may have rewritten its rows). */
export function forgetAllDeployed(): void {
  entries.clear();
  inFlight.clear();
}

/** Whether the script's deployment is kept: how tests tell a request served from here from one that asked the store. */
export const isDeployedKept = (accountId: string, namespace: string, script: string): boolean =>
  entries.has(keyOf(accountId, namespace, script));
