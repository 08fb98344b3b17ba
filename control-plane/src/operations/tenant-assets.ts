import { base64Of } from "../../../cloudflare-api/asset-hash";
import type { AssetManifest, AssetsConfig } from "../../../cloudflare-api/assets";
import type { ScriptAssets, ScriptSource } from "../../../platform/tenants-api";
import { readAsset } from "../assets/store";
import { type AssetFile, assetContentType } from "../cloudflare/assets";
import type { ScriptBinding, ScriptUpload } from "../cloudflare/upload-body";
import type { StepContext } from "./context";
import { StepRefusal } from "./failures";

/** The binding a tenant's Worker reads its static assets through (a reserved name: RESERVED_BINDING_NAMES). */
export const ASSETS_BINDING = "ASSETS";

/** What a bound upload carries of the bundle's static assets: its metadata fields and its binding. */
export type AssetsPart = {
  readonly fields: Pick<ScriptUpload, "assets" | "keepAssets">;
  readonly bindings: ScriptBinding[];
};

/**
 * The bundle's static assets for a bound upload. Absent: the latest version's are kept
 * (`keep_assets`, and ASSETS inherited; a script with none inherits nothing, which is fine), with
 * no extra call: a code-only upload or a rollout. Null: the version has none. A manifest: its files
 * go up through an upload session first (`sendAssets`), and the version takes its completion JWT.
 */
export async function assetsPart(context: StepContext, bundle: ScriptSource): Promise<AssetsPart> {
  if (bundle.assets === undefined) {
    return { fields: { keepAssets: true }, bindings: [{ type: "inherit", name: ASSETS_BINDING }] };
  }
  if (bundle.assets === null) return { fields: {}, bindings: [] };
  const jwt = await sendAssets(context, bundle.assets.manifest);
  return {
    fields: { assets: { jwt, config: assetsConfigOf(bundle.assets) } },
    bindings: [{ type: "assets", name: ASSETS_BINDING }],
  };
}

/** The API's `metadata.assets.config` (snake_case) of the /v1 API's settings (camelCase); unset ones left out. */
export function assetsConfigOf(assets: ScriptAssets): AssetsConfig {
  return {
    ...(assets.htmlHandling === undefined ? {} : { html_handling: assets.htmlHandling }),
    ...(assets.notFoundHandling === undefined ? {} : { not_found_handling: assets.notFoundHandling }),
    ...(assets.runWorkerFirst === undefined ? {} : { run_worker_first: assets.runWorkerFirst }),
  };
}

/**
 * Opens an upload session for the manifest and uploads each bucket it asks for, the files read from
 * the SCRIPTS bucket; returns the completion JWT: the last upload's, or the session's own when it
 * asks for nothing (the API has every file). Buckets go one at a time, so one bucket's files are all
 * that is held in memory. A step run again opens a new session, which asks only for what is still missing.
 */
async function sendAssets(context: StepContext, manifest: AssetManifest): Promise<string> {
  const { api, config, names, env } = context;
  const session = await api.assets.openSession(config.dispatchNamespace, names.script, manifest);
  // A hash's content type comes from its path; files of one hash share an extension (the hash covers it).
  const pathOf = new Map(Object.entries(manifest).map(([path, entry]) => [entry.hash, path]));
  let completion = session.buckets.length === 0 ? session.jwt : null;
  for (const bucket of session.buckets) {
    // One file at a time: its bytes and base64 text are dropped once its Blob is made.
    const files: AssetFile[] = [];
    for (const hash of bucket) {
      const path = pathOf.get(hash);
      if (path === undefined) throw new Error(`the upload session asked for ${hash}, which the manifest does not name`);
      const base64 = base64Of(await readAsset(env.SCRIPTS, hash));
      files.push({ hash, base64: new Blob([base64], { type: assetContentType(path) }) });
    }
    completion = (await api.assets.uploadBucket(session.jwt, files)) ?? completion;
  }
  if (completion === null) {
    throw new StepRefusal(
      "assets_upload_incomplete",
      "every bucket the upload session asked for was uploaded, and the API gave no completion JWT",
    );
  }
  return completion;
}
