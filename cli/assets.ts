import type { ScriptAssets } from "../platform/tenants-api.ts";
import { type AssetFile, manifestOf, readAssetFiles } from "./asset-files.ts";
import { assetsSectionOf } from "./assets-config.ts";
import type { Context } from "./command.ts";
import { uploadMissingAssets } from "./upload-assets.ts";

/** A config's `[assets]` read from disk: the files to have and the script's `assets` naming them. */
export type LocalAssets = { directory: string; files: AssetFile[]; assets: ScriptAssets };

/**
 * The static assets of the Worker folder `dir`: its config's `[assets]` directory walked, hashed and
 * checked against the limits (assets-config.ts, asset-files.ts), with nothing sent yet; undefined
 * when the config has no `[assets]`.
 */
export async function readAssets(dir: string): Promise<LocalAssets | undefined> {
  const section = assetsSectionOf(dir);
  if (section === undefined) return undefined;
  const files = await readAssetFiles(section.directory);
  const assets = { manifest: manifestOf(section.directory, files), ...section.serving };
  return { directory: section.directory, files, assets };
}

/** Sends the files the platform lacks and says how many; the script's `assets` that name them. */
export async function sendAssets(context: Context, local: LocalAssets): Promise<ScriptAssets> {
  const { uploaded, total } = await uploadMissingAssets(context.connection, local.files);
  context.out.note(`uploaded ${uploaded} of ${total} asset files from ${local.directory}`);
  return local.assets;
}
