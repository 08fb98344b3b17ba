import { z } from "zod";

/**
 * Static assets' direct upload (developers.cloudflare.com/workers/static-assets/direct-upload/):
 * the manifest an upload session is opened with and the limits Cloudflare documents for it.
 */

/** Each file must be under 25 MiB. */
export const MAX_ASSET_SIZE = 25 * 1024 * 1024;
/** The manifest must not hold more than 20,000 files (the direct-upload docs' limit). */
export const MAX_ASSET_COUNT = 20_000;
/** A file's hash as wrangler computes it: the first 32 hex digits of sha256(base64(contents) + extension). */
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
 * `metadata.assets` of a script upload: the completion JWT of an upload session, which names the
 * manifest the version is to have. (`config` and `keep_assets` come with assets serving.)
 */
export const ScriptAssetsInput = z.object({ jwt: z.string().min(1) });

/** `POST …/scripts/{s}/assets-upload-session` body. */
export const AssetsUploadSessionBody = z.object({ manifest: AssetManifest });

/** Its answer: the upload JWT, and the hashes still to upload grouped in buckets (one upload call each). */
export const AssetsUploadSession = z.object({ jwt: z.string(), buckets: z.array(z.array(AssetHash)) });
export type AssetsUploadSession = z.infer<typeof AssetsUploadSession>;
