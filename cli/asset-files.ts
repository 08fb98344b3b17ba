import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import ignoreModule from "ignore";
import { assetHashOf } from "../cloudflare-api/asset-hash.ts";
import { AssetManifest, MAX_ASSET_COUNT, MAX_ASSET_SIZE } from "../cloudflare-api/assets.ts";
import { buildError } from "./errors.ts";

/** One file of a tenant's assets directory: its manifest path (`/docs/index.html`), where it is here, its size and hash. */
export type AssetFile = { path: string; file: string; size: number; hash: string };

/** What wrangler never uploads as a file (its createAssetsIgnoreFunction): the ignore list and the two rules files. */
const ASSETS_IGNORE = ".assetsignore";
export const HEADERS_FILE = "_headers";
export const REDIRECTS_FILE = "_redirects";
/** A Pages Worker left in the directory would be served as a file: wrangler refuses it without an .assetsignore. */
const PAGES_WORKER = "_worker.js";

/**
 * The files `wrangler deploy` would upload from `dir` (its buildAssetManifest): every file under it,
 * symbolic links followed to files, less what `.assetsignore` lists (gitignore syntax, matched by
 * the same `ignore` library wrangler bundles) and the `.assetsignore`, `_headers` and `_redirects`
 * files. Counts and sizes are checked before any file is read (a huge file is never hashed), then
 * each file is hashed as wrangler hashes it. Sorted by path.
 */
export async function readAssetFiles(dir: string): Promise<AssetFile[]> {
  const ignoreFile = await readIgnoreFile(dir);
  // A CommonJS package: Node's default import is its module.exports, whose `default` is the factory too.
  const ignored = ignoreModule
    .default()
    .add([`/${ASSETS_IGNORE}`, `/${HEADERS_FILE}`, `/${REDIRECTS_FILE}`, ...(ignoreFile ?? [])]);
  const found: Omit<AssetFile, "hash">[] = [];
  for (const relative of (await readdir(dir, { recursive: true })).sort()) {
    if (ignored.ignores(relative)) continue;
    const file = path.join(dir, relative);
    const stats = await stat(file);
    if (!stats.isFile()) continue;
    if (ignoreFile === undefined && (relative === PAGES_WORKER || relative.startsWith(`${PAGES_WORKER}/`))) {
      throw buildError(
        `${file} would be uploaded as a public asset (a Pages ${PAGES_WORKER}): remove it or list it in ${path.join(dir, ASSETS_IGNORE)}`,
      );
    }
    found.push({ path: `/${relative.split(path.sep).join("/")}`, file, size: stats.size });
  }
  checkLimits(dir, found);
  const files: AssetFile[] = [];
  for (const entry of found) files.push({ ...entry, hash: assetHashOf(await readFile(entry.file), entry.path) });
  return files;
}

/** The manifest the API takes (`{"/path": {hash, size}}`), its path rules checked. */
export function manifestOf(dir: string, files: readonly AssetFile[]): AssetManifest {
  const manifest = Object.fromEntries(files.map((file) => [file.path, { hash: file.hash, size: file.size }]));
  const parsed = AssetManifest.safeParse(manifest);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => `${issue.path.join(".") || "(manifest)"}: ${issue.message}`);
    throw buildError(`the assets in ${dir} are not a manifest the platform takes:\n  ${issues.join("\n  ")}`);
  }
  return parsed.data;
}

/** Cloudflare's limits (cloudflare-api/assets.ts), checked on sizes alone. */
function checkLimits(dir: string, files: readonly Omit<AssetFile, "hash">[]): void {
  if (files.length === 0) throw buildError(`the assets directory ${dir} has no file to upload`);
  if (files.length > MAX_ASSET_COUNT) {
    throw buildError(
      `the assets directory ${dir} has ${files.length} files: Cloudflare takes at most ${MAX_ASSET_COUNT} (list what not to upload in ${ASSETS_IGNORE})`,
    );
  }
  const tooLarge = files.filter((file) => file.size > MAX_ASSET_SIZE);
  if (tooLarge.length > 0) {
    const named = tooLarge.map((file) => `${file.file} (${file.size} bytes)`).join(", ");
    throw buildError(`an asset must not exceed ${MAX_ASSET_SIZE} bytes (25 MiB): ${named}`);
  }
}

/** The patterns of `dir/.assetsignore`, if it has one; as wrangler, it must be UTF-8 without a NUL. */
async function readIgnoreFile(dir: string): Promise<string[] | undefined> {
  const file = path.join(dir, ASSETS_IGNORE);
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw buildError(`${file} must be UTF-8`);
  }
  if (text.includes("\0")) throw buildError(`${file} must not hold a NUL character`);
  return text.split("\n");
}
