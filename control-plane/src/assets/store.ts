import { z } from "zod";
import type { AssetHash } from "../../../cloudflare-api/assets";
import { now } from "../registry/rows";

/**
 * Tenants' static asset files, content-addressed and shared by every tenant: the bytes in the
 * SCRIPTS bucket under `assets/<hash>`, and a registry row per file (`migrations/0008_assets.sql`)
 * so that which of 20,000 hashes are held is one query, not 20,000 reads of the bucket. The object
 * is written before its row: a row always names a stored file, and a file whose row was never
 * written is only reported missing, sent again and found in place.
 */

/** Where a file is kept in the SCRIPTS bucket. */
export const assetKey = (hash: AssetHash): string => `assets/${hash}`;

/** The size of each of `hashes` the platform holds (one it lacks is not in the map). */
export async function storedSizes(db: D1Database, hashes: readonly AssetHash[]): Promise<Map<AssetHash, number>> {
  const distinct = [...new Set(hashes)];
  if (distinct.length === 0) return new Map();
  // One statement whatever the count: the hashes go in as one JSON parameter (20,000 are about 700 KB).
  const { results } = await db
    .prepare("SELECT hash, size FROM assets WHERE hash IN (SELECT value FROM json_each(?1))")
    .bind(JSON.stringify(distinct))
    .all();
  const rows = z.array(z.object({ hash: z.string(), size: z.number() })).parse(results);
  return new Map(rows.map((row) => [row.hash, row.size]));
}

/** The hashes of `hashes` the platform does not hold, each once, in the order given. */
export async function missingAssets(db: D1Database, hashes: readonly AssetHash[]): Promise<AssetHash[]> {
  const stored = await storedSizes(db, hashes);
  return [...new Set(hashes)].filter((hash) => !stored.has(hash));
}

/** Stores a file (its hash checked by the caller): written only when the bucket lacks it, then listed. */
export async function storeAsset(db: D1Database, bucket: R2Bucket, hash: AssetHash, bytes: Uint8Array) {
  const key = assetKey(hash);
  if ((await bucket.head(key)) === null) await bucket.put(key, bytes);
  await db
    .prepare("INSERT INTO assets (hash, size, stored_at) VALUES (?1, ?2, ?3) ON CONFLICT (hash) DO NOTHING")
    .bind(hash, bytes.byteLength, now())
    .run();
}

/** A stored file's bytes; an error naming it when the bucket lacks it (it is never deleted). */
export async function readAsset(bucket: R2Bucket, hash: AssetHash): Promise<Uint8Array> {
  const object = await bucket.get(assetKey(hash));
  if (object === null) throw new Error(`asset ${hash} is missing from the SCRIPTS bucket`);
  return new Uint8Array(await object.arrayBuffer());
}
