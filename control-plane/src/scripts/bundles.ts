import { type ScriptAssets, ScriptSource } from "../../../platform/tenants-api";
import { hex } from "../hex";

/**
 * Tenants' script bundles (modules, binary ones in base64, D1 migrations, Durable Object bindings and
 * the classes to delete, the static assets' manifest and settings), kept in R2 under the
 * SHA-256 of their content: an upload waiting in a queue, a re-upload after a
 * PATCH, and a rollout to thousands of tenants all read one stored copy, and
 * storing the same bundle twice is harmless. Bundles are not deleted with a
 * tenant: another tenant or a rollout may share it (they are small; expire
 * them with an R2 lifecycle rule if you like). A bundle carries the Durable
 * Object bindings and the classes to delete, never a migration: each tenant's
 * migration is worked out when its upload runs, from the classes it has
 * (operations/tenant-script.ts), so one bundle serves tenants at any tag.
 */
export async function storeBundle(bucket: R2Bucket, script: ScriptSource): Promise<string> {
  const body = JSON.stringify(canonical(script));
  const bytes = new TextEncoder().encode(body);
  const key = `bundles/${hex(await crypto.subtle.digest("SHA-256", bytes))}.json`;
  if ((await bucket.head(key)) === null) {
    await bucket.put(key, bytes, { httpMetadata: { contentType: "application/json" } });
  }
  // What loadBundle would read back: a provisioning's steps, run next, find it here.
  keepParsed(key, parseBundle(JSON.parse(body)), bytes.byteLength);
  return key;
}

export async function loadBundle(bucket: R2Bucket, key: string): Promise<ScriptSource> {
  const kept = parsedBundles.get(key);
  if (kept !== undefined) {
    // Used again: to the back of the order, the last to go.
    parsedBundles.delete(key);
    parsedBundles.set(key, kept);
    return kept.bundle;
  }
  const object = await bucket.get(key);
  if (object === null) throw new Error(`script bundle ${key} is missing from the SCRIPTS bucket`);
  return keepParsed(key, parseBundle(await object.json()), object.size);
}

/**
 * Bundles parsed lately in this isolate, by key. A key is the SHA-256 of the
 * bundle's content, so the bundle a key names never changes: a kept one is
 * the bundle R2 holds under that key, whichever bucket, whenever read, and
 * needs no invalidation. It spares a provisioning's steps (the check, the
 * migrations, the upload: each loads the bundle the request just stored) an
 * R2 read and a parse each. Frozen, as callers share it.
 */
const parsedBundles = new Map<string, { bundle: ScriptSource; bytes: number }>();
/** Enough for a burst of onboardings in flight at once, each a bundle of its own. */
const PARSED_BUNDLES_KEPT = 256;
/**
 * And at most this much of them, counted as their stored JSON: a bundle may be
 * 10 MiB of modules (more in base64), and 256 of those would take much of the
 * isolate's 128 MB. A bundle larger than this on its own is not kept.
 */
export const PARSED_BUNDLES_BYTES = 16 * 1024 * 1024;
let parsedBytes = 0;

function keepParsed(key: string, bundle: ScriptSource, bytes: number): ScriptSource {
  forgetParsed(key);
  if (bytes > PARSED_BUNDLES_BYTES) return bundle;
  parsedBundles.set(key, { bundle, bytes });
  parsedBytes += bytes;
  // A Map iterates in insertion order: the first key is the one used least lately.
  while (parsedBundles.size > PARSED_BUNDLES_KEPT || parsedBytes > PARSED_BUNDLES_BYTES) {
    forgetParsed(parsedBundles.keys().next().value as string);
  }
  return bundle;
}

function forgetParsed(key: string): void {
  const kept = parsedBundles.get(key);
  if (kept === undefined) return;
  parsedBundles.delete(key);
  parsedBytes -= kept.bytes;
}

/** How many bundles, and how many bytes of them, this isolate keeps parsed (for tests). */
export const parsedBundlesKept = () => ({ bundles: parsedBundles.size, bytes: parsedBytes });

const parseBundle = (json: unknown): ScriptSource => deepFreeze(ScriptSource.parse(json));

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

const sortedRecord = <T>(record: Record<string, T>): Record<string, T> =>
  Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** Same content, same key: object keys in a fixed order. */
function canonical(script: ScriptSource): ScriptSource {
  const sorted = sortedRecord;
  return {
    mainModule: script.mainModule,
    modules: sorted(script.modules),
    ...(script.compatibilityDate === undefined ? {} : { compatibilityDate: script.compatibilityDate }),
    ...(script.compatibilityFlags === undefined ? {} : { compatibilityFlags: script.compatibilityFlags }),
    ...(script.migrations === undefined ? {} : { migrations: sorted(script.migrations) }),
    // No bindings and no deletions is the same script as none given: the same key.
    ...(script.durableObjects === undefined || Object.keys(script.durableObjects).length === 0
      ? {}
      : { durableObjects: sorted(script.durableObjects) }),
    ...(script.deletedDurableObjectClasses === undefined || script.deletedDurableObjectClasses.length === 0
      ? {}
      : { deletedDurableObjectClasses: [...script.deletedDurableObjectClasses].sort() }),
    // Absent (keep the tenant's assets) and null (none) are two different scripts.
    ...(script.assets === undefined ? {} : { assets: script.assets === null ? null : canonicalAssets(script.assets) }),
  };
}

/** The manifest by path, and the settings in a fixed order. */
function canonicalAssets(assets: ScriptAssets): ScriptAssets {
  return {
    manifest: sortedRecord(assets.manifest),
    ...(assets.htmlHandling === undefined ? {} : { htmlHandling: assets.htmlHandling }),
    ...(assets.notFoundHandling === undefined ? {} : { notFoundHandling: assets.notFoundHandling }),
    ...(assets.runWorkerFirst === undefined ? {} : { runWorkerFirst: assets.runWorkerFirst }),
  };
}
