import type { AssetsConfig } from "../../../cloudflare-api/assets";
import { failure, success, validationFailed, type WorkersResult } from "../scripts/errors";

/**
 * A version's static assets as stored with it: the key of its manifest in ASSETS_DATA (the manifest's
 * own sha-256, manifests.ts) and how they are served. The manifest itself is not in the version: it can
 * hold 20,000 files, and the version record is read on every request.
 */
export interface VersionAssets {
  manifest: string;
  config: AssetsConfig;
}

/**
 * What an upload says about its version's assets, its JWT already checked: new files (`metadata.assets.jwt`),
 * or the latest version's kept (`keep_assets`), with a config that replaces theirs when given.
 */
export type AssetsChange = { kind: "new"; assets: VersionAssets } | { kind: "keep"; config: AssetsConfig | undefined };

/**
 * The new version's assets: the new ones, the latest version's kept (with the new config if given), or none
 * (an upload without assets drops them, as production's does). A config for a script that has no assets to
 * keep is refused: it would configure nothing.
 */
export function versionAssetsAfter(
  change: AssetsChange | undefined,
  previous: VersionAssets | undefined,
): WorkersResult<VersionAssets | undefined> {
  if (change === undefined) return success(undefined);
  if (change.kind === "new") return success(change.assets);
  if (previous === undefined) {
    return change.config === undefined
      ? success(undefined)
      : failure(validationFailed("metadata.assets.config with keep_assets: the script has no assets to keep"));
  }
  return success(change.config === undefined ? previous : { ...previous, config: change.config });
}
