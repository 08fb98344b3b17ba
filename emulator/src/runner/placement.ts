/*
 * Which runner runs a script. This module imports nothing, so that Node (the tests, which must know
 * where a tenant runs) can load it as it is.
 */

/**
 * The runner (0-based, of `runners`) that runs a script: the same one every time (FNV-1a of its name,
 * modulo the runners), so that a script's worker stays loaded in one place.
 */
export function runnerIndexFor(
  script: { accountId: string; namespace: string; script: string },
  runners: number,
): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(`${script.accountId}/${script.namespace}/${script.script}`)) {
    hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  }
  return hash % runners;
}
