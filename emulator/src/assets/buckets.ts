import type { AssetManifest } from "../../../cloudflare-api/assets";

/** At most this many files per bucket, so one upload call stays small. */
const MAX_FILES_PER_BUCKET = 10;
/** At most this many bytes (before base64) per bucket, unless one file alone is larger. */
const MAX_BYTES_PER_BUCKET = 50 * 1024 * 1024;

/** Groups the hashes still to upload into buckets, each one upload call; a hash appears once. */
export function bucketsOf(manifest: AssetManifest, missing: readonly string[]): string[][] {
  const sizes = new Map(Object.values(manifest).map((entry) => [entry.hash, entry.size]));
  const buckets: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const hash of missing) {
    const size = sizes.get(hash) ?? 0;
    if (current.length > 0 && (current.length === MAX_FILES_PER_BUCKET || bytes + size > MAX_BYTES_PER_BUCKET)) {
      buckets.push(current);
      current = [];
      bytes = 0;
    }
    current.push(hash);
    bytes += size;
  }
  if (current.length > 0) buckets.push(current);
  return buckets;
}
