import { readFile } from "node:fs/promises";
import { MAX_ASSETS_BODY_BYTES } from "../platform/tenants-api.ts";
import { api } from "./api.ts";
import type { AssetFile } from "./asset-files.ts";
import type { Connection } from "./http.ts";

/** What a part's multipart framing takes besides its filename (boundary, Content-Disposition, Content-Type): a generous bound. */
const PART_FRAMING_BYTES = 512;
/** A batch's body at most: the control plane's limit, each part's size counted generously (below). */
const MAX_BATCH_BYTES = MAX_ASSETS_BODY_BYTES;
/** Files in a batch at most: keeps each request's work small (wrangler cuts its Pages uploads at 2,000). */
const MAX_BATCH_FILES = 1000;

/** How many of the files were sent: those the platform lacked. */
export type AssetsUploaded = { uploaded: number; total: number };

/**
 * Sends the platform the files it does not hold yet: asks `POST /v1/assets/missing` for their
 * hashes, then `POST /v1/assets` in batches that each fit the control plane's body limit (a file
 * of 25 MiB alone). Files are content-addressed and shared, so a file already sent (by this tenant
 * or any other) is not sent again; a file listed twice under two paths is sent once.
 */
export async function uploadMissingAssets(
  connection: Connection,
  files: readonly AssetFile[],
): Promise<AssetsUploaded> {
  const byHash = new Map(files.map((file) => [file.hash, file]));
  const { missing } = await api.missingAssets(connection, { hashes: [...byHash.keys()] });
  const toSend = missing.map((hash) => byHash.get(hash)).filter((file): file is AssetFile => file !== undefined);
  for (const batch of batchesOf(toSend)) {
    const form = new FormData();
    for (const file of batch) form.append(file.hash, new Blob([await readFile(file.file)]), file.path);
    await api.uploadAssets(connection, form);
  }
  return { uploaded: toSend.length, total: files.length };
}

/** The files in order, cut into batches of at most MAX_BATCH_FILES whose bodies stay within MAX_BATCH_BYTES. */
export function batchesOf(files: readonly AssetFile[]): AssetFile[][] {
  const batches: AssetFile[][] = [];
  let batch: AssetFile[] = [];
  let bytes = 0;
  for (const file of files) {
    // A filename's bytes, each escaped at worst to three (%22).
    const size = file.size + 3 * Buffer.byteLength(file.path) + PART_FRAMING_BYTES;
    if (batch.length === MAX_BATCH_FILES || (batch.length > 0 && bytes + size > MAX_BATCH_BYTES)) {
      batches.push(batch);
      batch = [];
      bytes = 0;
    }
    batch.push(file);
    bytes += size;
  }
  if (batch.length > 0) batches.push(batch);
  return batches;
}
