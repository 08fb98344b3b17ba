import { z } from "zod";

/**
 * Static assets' direct upload (developers.cloudflare.com/workers/static-assets/direct-upload/):
 * the manifest an upload session is opened with and the limits Cloudflare documents for it.
 */

/** Each file must be under 25 MiB. */
export const MAX_ASSET_SIZE = 25 * 1024 * 1024;
/** The manifest must not hold more than 20,000 files (the direct-upload docs' limit). */
export const MAX_ASSET_COUNT = 20_000;
/** A file's hash as wrangler computes it (asset-hash.ts): 32 hex digits of BLAKE3(base64(contents) + extension). */
export const ASSET_HASH = /^[0-9a-f]{32}$/;

export const AssetHash = z.string().regex(ASSET_HASH, "must be 32 lowercase hex digits");
export type AssetHash = z.infer<typeof AssetHash>;

/** A path in the manifest: absolute, no empty, `.` or `..` segment, no backslash or NUL. */
export const AssetPath = z
  .string()
  .max(4096)
  .refine((path) => /^\/[^\\\0]*$/.test(path), "must start with / and hold no backslash or NUL")
  .refine(
    (path) =>
      path
        .slice(1)
        .split("/")
        .every((segment) => segment !== "" && segment !== "." && segment !== ".."),
    "must not hold an empty, . or .. segment",
  );

export const AssetManifestEntry = z.strictObject({
  hash: AssetHash,
  size: z.number().int().min(0).max(MAX_ASSET_SIZE, `must not exceed ${MAX_ASSET_SIZE} bytes (25 MiB)`),
});

export const AssetManifest = z
  .record(AssetPath, AssetManifestEntry)
  .refine((manifest) => Object.keys(manifest).length > 0, "must list at least one file")
  .refine(
    (manifest) => Object.keys(manifest).length <= MAX_ASSET_COUNT,
    `must not list more than ${MAX_ASSET_COUNT} files`,
  );
export type AssetManifest = z.infer<typeof AssetManifest>;

/**
 * How a path the manifest lacks is matched to a file (Workers' "HTML handling"): `auto-trailing-slash`
 * (the default) serves `/about` from `/about.html` or `/about/index.html` and redirects to the
 * canonical form; `force-`/`drop-trailing-slash` pick one form for every HTML page; `none` serves
 * exact paths only.
 */
export const HtmlHandling = z.enum(["auto-trailing-slash", "force-trailing-slash", "drop-trailing-slash", "none"]);
export type HtmlHandling = z.infer<typeof HtmlHandling>;

/** What answers a path no file matches: a 404 with no body, the nearest `404.html`, or `/index.html` (an SPA). */
export const NotFoundHandling = z.enum(["none", "404-page", "single-page-application"]);
export type NotFoundHandling = z.infer<typeof NotFoundHandling>;

/** At most this many `run_worker_first` rules (wrangler's MAX_ROUTES_RULES). */
export const MAX_RUN_WORKER_FIRST_RULES = 100;

/**
 * Whether the Worker runs before assets are matched: `true` for every request, or route rules
 * (`/api/*`; `!/api/docs/*` excludes) for the paths that go to the Worker first.
 */
export const RunWorkerFirst = z.union([
  z.boolean(),
  z
    .array(z.string().min(1).max(100).regex(/^!?\//, "a rule is a path starting with / (or !/ to exclude)"))
    .min(1)
    .max(MAX_RUN_WORKER_FIRST_RULES, `at most ${MAX_RUN_WORKER_FIRST_RULES} rules`)
    .refine((rules) => rules.some((rule) => !rule.startsWith("!")), "at least one rule must not be a ! exclusion"),
]);
export type RunWorkerFirst = z.infer<typeof RunWorkerFirst>;

/**
 * `metadata.assets.config`, as wrangler sends it (its `assetConfig`). `_headers` and `_redirects` are
 * the files' text, which production applies; unknown keys are kept out (stripped), as the API ignores them.
 */
export const AssetsConfig = z.object({
  html_handling: HtmlHandling.optional(),
  not_found_handling: NotFoundHandling.optional(),
  run_worker_first: RunWorkerFirst.optional(),
  base_path: z.string().optional(),
  _headers: z.string().optional(),
  _redirects: z.string().optional(),
});
export type AssetsConfig = z.infer<typeof AssetsConfig>;

/**
 * `metadata.assets` of a script upload: the completion JWT of an upload session, which names the
 * manifest the version is to have, and how they are served. With `keep_assets: true` (a code-only
 * upload) the JWT is left out and the previous version's files are kept; a config given then replaces theirs.
 */
export const ScriptAssetsInput = z.object({ jwt: z.string().min(1).optional(), config: AssetsConfig.optional() });
export type ScriptAssetsInput = z.infer<typeof ScriptAssetsInput>;

/** `POST …/scripts/{s}/assets-upload-session` body. */
export const AssetsUploadSessionBody = z.object({ manifest: AssetManifest });

/** Its answer: the upload JWT, and the hashes still to upload grouped in buckets (one upload call each). */
export const AssetsUploadSession = z.object({ jwt: z.string(), buckets: z.array(z.array(AssetHash)) });
export type AssetsUploadSession = z.infer<typeof AssetsUploadSession>;
