import type { AssetManifest } from "../../../cloudflare-api/assets";
import { ApiError } from "../api/errors";
import { missingAssets } from "./store";

/** How many missing paths the refusal names. */
const NAMED = 10;

/**
 * Refuses (400 `assets_missing`) a manifest naming a file the platform does not hold, before anything
 * is recorded: the upload step reads every file from the SCRIPTS bucket. `field` is where the manifest
 * is in the request body (`assets.manifest`, `script.assets.manifest`); `details` name the first paths.
 */
export async function requireStoredAssets(db: D1Database, manifest: AssetManifest, field: string): Promise<void> {
  const entries = Object.entries(manifest);
  const missing = new Set(
    await missingAssets(
      db,
      entries.map(([, entry]) => entry.hash),
    ),
  );
  if (missing.size === 0) return;
  const paths = entries.filter(([, entry]) => missing.has(entry.hash));
  const details = paths.slice(0, NAMED).map(([path, entry]) => ({
    path: `${field}.${path}`,
    message: `${entry.hash} is not stored: send it to POST /v1/assets first`,
  }));
  const [first] = details;
  throw new ApiError(
    400,
    "assets_missing",
    `${first?.path}: ${first?.message} (${paths.length} of the manifest's ${entries.length} files are not stored: POST /v1/assets/missing names them)`,
    details,
  );
}
