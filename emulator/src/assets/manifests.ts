import type { AssetManifest } from "../../../cloudflare-api/assets";
import type { Env } from "../env";
import { sha256Hex, stableStringify } from "../scripts/etag";

/**
 * Each version's manifest, kept once in ASSETS_DATA under its own hash (`{account}/manifests/{sha256}`):
 * versions carry the key, and serving reads the manifest by it. A manifest under a key never changes,
 * so each isolate keeps the ones it read, parsed for lookups, without ever checking them again.
 */

/** A manifest as serving reads it: each path's content hash. */
export type ServedManifest = ReadonlyMap<string, string>;

const manifestKey = (account: string, hash: string) => `${account}/manifests/${hash}`;

/** Stores `manifest` for the account (again is harmless: same key, same bytes) and answers its key. */
export async function putManifest(env: Env, account: string, manifest: AssetManifest): Promise<string> {
  const text = stableStringify(manifest);
  const hash = await sha256Hex(text);
  await env.ASSETS_DATA.put(manifestKey(account, hash), text);
  return hash;
}

/** How many parsed manifests an isolate keeps (the least recently used go first). */
const CACHED_MANIFESTS = 64;
const cache = new Map<string, ServedManifest>();

/** The account's manifest stored under `hash`; a manifest that is not there is a broken version, not a 404. */
export async function servedManifest(env: Env, account: string, hash: string): Promise<ServedManifest> {
  const key = manifestKey(account, hash);
  const cached = cache.get(key);
  if (cached !== undefined) {
    cache.delete(key);
    cache.set(key, cached);
    return cached;
  }
  const object = await env.ASSETS_DATA.get(key);
  if (object === null) throw new Error(`the assets manifest ${hash} of this version is missing from storage`);
  const manifest = (await object.json()) as AssetManifest;
  const parsed: ServedManifest = new Map(Object.entries(manifest).map(([path, entry]) => [path, entry.hash]));
  cache.set(key, parsed);
  if (cache.size > CACHED_MANIFESTS) cache.delete(cache.keys().next().value as string);
  return parsed;
}
