import type { AssetManifest } from "../../../cloudflare-api/assets";
import { ApiError } from "../api/errors";
import { storedSizes } from "./store";

/** How many missing paths the refusal names. */
const NAMED = 10;

/**
 * Refuses a manifest naming a file the platform does not hold (400 `assets_missing`), or giving a
 * stored file another size than its own (400 `invalid_request`: the API would refuse the upload),
 * before anything is recorded: the upload step reads every file from the SCRIPTS bucket. `field` is
 * where the manifest is in the request body (`assets.manifest`, `script.assets.manifest`); `details`
 * name the first paths.
 */
export async function requireStoredAssets(db: D1Database, manifest: AssetManifest, field: string): Promise<void> {
  const entries = Object.entries(manifest);
  const stored = await storedSizes(
    db,
    entries.map(([, entry]) => entry.hash),
  );
  const missing = entries.filter(([, entry]) => !stored.has(entry.hash));
  if (missing.length > 0) {
    refuse(
      "assets_missing",
      missing.map(([path, entry]) => ({
        path: `${field}.${path}`,
        message: `${entry.hash} is not stored: send it to POST /v1/assets first`,
      })),
      `${missing.length} of the manifest's ${entries.length} files are not stored: POST /v1/assets/missing names them`,
    );
  }
  const missized = entries.filter(([, entry]) => stored.get(entry.hash) !== entry.size);
  if (missized.length > 0) {
    refuse(
      "invalid_request",
      missized.map(([path, entry]) => ({
        path: `${field}.${path}.size`,
        message: `${entry.size} is not the size of the file ${entry.hash} (${stored.get(entry.hash)} bytes)`,
      })),
      `${missized.length} of the manifest's sizes are not their files'`,
    );
  }
}

/** A 400 naming the first paths, its message the first and how many in all. */
function refuse(
  code: "assets_missing" | "invalid_request",
  all: { path: string; message: string }[],
  count: string,
): never {
  const details = all.slice(0, NAMED);
  const [first] = details;
  throw new ApiError(400, code, `${first?.path}: ${first?.message} (${count})`, details);
}
