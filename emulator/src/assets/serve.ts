import { getMimeType } from "hono/utils/mime";
import type { AssetsConfig, NotFoundHandling } from "../../../cloudflare-api/assets";
import type { Env } from "../env";
import { type FoundAsset, type Intent, intentFor } from "./intent";
import { type ServedManifest, servedManifest } from "./manifests";
import { getAssetFile } from "./store";

/**
 * Answers a request from a version's static assets as production's asset worker does (workers-sdk
 * `asset-worker/src/handler.ts`): the path decoded and matched by `html_handling`, a 307 to the
 * canonical path, `not_found_handling`, 405 for other methods than GET and HEAD on a matched path,
 * a strong ETag of the file's hash with `If-None-Match` answered 304, `Cache-Control` as production's.
 * Not applied: `_headers`, `_redirects` and `base_path` (emulator/README.md).
 */

/** One version's assets, as serving needs them: whose files, which manifest, which settings. */
export interface AssetsSite {
  accountId: string;
  /** The manifest's key (version-assets.ts). */
  manifest: string;
  config: AssetsConfig;
}

/** Production's browser cache header for every asset: revalidate each time (asset-worker's CACHE_CONTROL_BROWSER). */
const CACHE_CONTROL = "public, max-age=0, must-revalidate";

/**
 * The content type of a file, from its path's extension (the hash covers the extension, so every path
 * of a file has the same one): wrangler sends `mime`'s type with `; charset=utf-8` on `text/*` types only,
 * and none for an extension it does not know, which production then serves without a Content-Type.
 */
export function contentTypeOf(path: string): string | undefined {
  const type = getMimeType(path)?.split(";")[0]?.trim();
  if (type === undefined) return undefined;
  return type.startsWith("text/") ? `${type}; charset=utf-8` : type;
}

/** Each segment of `path` through `convert`, or as it is where that throws (a bad escape, a lone surrogate). */
function eachSegment(path: string, convert: (segment: string) => string): string {
  return path
    .split("/")
    .map((segment) => {
      try {
        return convert(segment);
      } catch {
        return segment;
      }
    })
    .join("/");
}

/** Each segment percent-decoded, and runs of `/` made one. */
const decodePath = (pathname: string) => eachSegment(pathname, decodeURIComponent).replace(/\/+/g, "/");

/** The canonical spelling of a decoded path: each segment as `encodeURIComponent` writes it. */
const encodePath = (path: string) => eachSegment(path, encodeURIComponent);

/** The intent for a request's path under `notFoundHandling` (the router may ask without it). */
export function requestIntent(
  url: URL,
  manifest: ServedManifest,
  config: AssetsConfig,
  notFoundHandling: NotFoundHandling,
): Intent {
  const rules = { htmlHandling: config.html_handling ?? "auto-trailing-slash", notFoundHandling };
  return intentFor(decodePath(url.pathname), rules, (path) => manifest.get(path) ?? null);
}

/** A redirect with no body, as production's `TemporaryRedirectResponse`. */
const temporaryRedirect = (location: string) => new Response(null, { status: 307, headers: { location } });

/** The response for a file: its headers, 304 when the client has it, no body for HEAD. */
async function fileResponse(env: Env, site: AssetsSite, asset: FoundAsset, request: Request): Promise<Response> {
  const etag = `"${asset.hash}"`;
  const headers = new Headers({ etag });
  const type = contentTypeOf(asset.path);
  if (type !== undefined) headers.set("content-type", type);
  // Production leaves requests with credentials or a range out of browsers' caches.
  if (!request.headers.has("authorization") && !request.headers.has("range"))
    headers.set("cache-control", CACHE_CONTROL);
  // Production compares the header as one value, strong or weak, not a list.
  const ifNoneMatch = request.headers.get("if-none-match");
  if (ifNoneMatch === etag || ifNoneMatch === `W/${etag}`) return new Response(null, { status: 304, headers });
  const file = await getAssetFile(env, site.accountId, asset.hash);
  if (file === null) throw new Error(`the asset file ${asset.hash} of this version is missing from storage`);
  if (request.method.toUpperCase() === "HEAD") {
    await file.body.cancel();
    return new Response(null, { status: asset.status, headers });
  }
  return new Response(file.body, { status: asset.status, headers });
}

/**
 * The assets' answer to a request, `not_found_handling` applied: what the ASSETS binding's `fetch()`
 * gives, and what a dispatched request the assets take gets. A path nothing matches is 404 with no body.
 */
export async function serveAssets(env: Env, site: AssetsSite, request: Request): Promise<Response> {
  const url = new URL(request.url);
  const manifest = await servedManifest(env, site.accountId, site.manifest);
  const intent = requestIntent(url, manifest, site.config, site.config.not_found_handling ?? "none");
  if (intent === null) return new Response(null, { status: 404 });
  if (!["GET", "HEAD"].includes(request.method.toUpperCase())) return new Response(null, { status: 405 });
  if ("redirect" in intent) return temporaryRedirect(encodePath(intent.redirect) + url.search);
  // A path spelled otherwise than its canonical encoding (`/[a]`, `//a`) is sent to that spelling.
  const canonical = encodePath(decodePath(url.pathname));
  if (canonical !== url.pathname) return temporaryRedirect(canonical + url.search);
  return fileResponse(env, site, intent.asset, request);
}
