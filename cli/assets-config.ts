import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { unstable_readConfig } from "wrangler";
import { ScriptAssets } from "../platform/tenants-api.ts";
import { HEADERS_FILE, REDIRECTS_FILE } from "./asset-files.ts";
import { findConfig } from "./bundle.ts";
import { buildError } from "./errors.ts";

/** The binding the platform gives a tenant's assets (RESERVED_BINDING_NAMES): the config may only name this one. */
const ASSETS_BINDING = "ASSETS";

/** How the config's `[assets]` are served, as the API takes them (ScriptAssets less its manifest). */
export type AssetsServing = Omit<ScriptAssets, "manifest">;

/** The config's `[assets]`: the directory (relative to the config, as wrangler resolves it) and how it is served. */
export type AssetsSection = { directory: string; serving: AssetsServing };

/**
 * The `[assets]` of the wrangler config in `dir`, read by wrangler's own reader; undefined without
 * any. What the platform cannot honour is refused here, before anything is sent: a binding other
 * than ASSETS (the platform binds it), `base_path`, and `_headers` / `_redirects` files (the API
 * has no field for their rules yet: deploying without them would serve the site differently).
 */
export function assetsSectionOf(dir: string): AssetsSection | undefined {
  const configPath = findConfig(dir);
  const assets = unstable_readConfig({ config: configPath }).assets as
    | (ReturnType<typeof unstable_readConfig>["assets"] & { base_path?: string })
    | undefined;
  if (assets === undefined) return undefined;
  const refuse = (why: string) => buildError(`${configPath}: ${why}`);
  if (assets.directory === undefined || assets.directory === "") {
    throw refuse("[assets] has no directory: wrangler cannot tell which files to upload");
  }
  if (assets.binding !== undefined && assets.binding !== ASSETS_BINDING) {
    throw refuse(
      `[assets] binding = "${assets.binding}": the platform binds a tenant's assets as ${ASSETS_BINDING} (leave binding out, or name it ${ASSETS_BINDING})`,
    );
  }
  if (assets.base_path !== undefined) throw refuse("[assets] base_path is not supported by the platform");
  const directory = path.resolve(path.dirname(configPath), assets.directory);
  if (!statSync(directory, { throwIfNoEntry: false })?.isDirectory()) {
    throw refuse(`[assets] directory ${directory} does not exist or is not a directory`);
  }
  for (const name of [HEADERS_FILE, REDIRECTS_FILE]) {
    if (existsSync(path.join(directory, name))) {
      throw refuse(`${path.join(directory, name)}: the platform does not apply ${name} files yet`);
    }
  }
  const serving = {
    ...(assets.html_handling === undefined ? {} : { htmlHandling: assets.html_handling }),
    ...(assets.not_found_handling === undefined ? {} : { notFoundHandling: assets.not_found_handling }),
    ...(assets.run_worker_first === undefined ? {} : { runWorkerFirst: assets.run_worker_first }),
  };
  const parsed = ScriptAssets.omit({ manifest: true }).safeParse(serving);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw refuse(`[assets] is not what the control plane takes:\n  ${issues.join("\n  ")}`);
  }
  return { directory, serving: parsed.data };
}
