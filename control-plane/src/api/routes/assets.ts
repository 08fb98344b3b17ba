import { OpenAPIHono } from "@hono/zod-openapi";
import { assetHashOf } from "../../../../cloudflare-api/asset-hash";
import { AssetHash, AssetPath, MAX_ASSET_SIZE } from "../../../../cloudflare-api/assets";
import {
  AssetsMissing,
  AssetsMissingRequest,
  AssetsStored,
  MAX_ASSETS_BODY_BYTES,
} from "../../../../platform/tenants-api";
import { missingAssets, storeAsset } from "../../assets/store";
import { ApiError } from "../errors";
import { errorContent, jsonBody, jsonContent, v1Route } from "../openapi-routes";
import type { AppEnv } from "../types";

const missingRoute = v1Route({
  method: "post",
  path: "/v1/assets/missing",
  summary: "Which asset files the platform lacks",
  description:
    "Of these hashes (wrangler's asset hash: 32 hex digits; at most 20,000), the ones the platform does not hold yet, each once, in the order given: send those to POST /v1/assets before the script that names them.",
  request: { body: jsonBody(AssetsMissingRequest, "The hashes of a manifest") },
  responses: { 200: jsonContent(AssetsMissing, "The hashes not stored yet.") },
});

const tooLarge = {
  413: errorContent(
    `The body is over ${MAX_ASSETS_BODY_BYTES} bytes, or a file over ${MAX_ASSET_SIZE} bytes (25 MiB).`,
  ),
} as const;

const uploadRoute = v1Route({
  method: "post",
  path: "/v1/assets",
  summary: "Store asset files",
  description: `One part per file: the field name is the file's hash, the filename its path as the manifest has it (\`/docs/index.html\`; the hash covers the extension). Every part is checked before any is stored (a file part with a filename, a hash for a name, its bytes of that hash, at most 25 MiB): one bad part refuses the whole request (400, \`details\` naming \`parts.<n>\`) and stores nothing. The body is at most ${MAX_ASSETS_BODY_BYTES} bytes: send the files in batches under it. Files are shared by every tenant and stored once.`,
  request: {
    body: {
      required: true,
      description: "The files",
      // A plain OpenAPI schema, not zod: the parts are checked by the handler, which reads them as files.
      content: {
        "multipart/form-data": {
          schema: {
            type: "object",
            description: "field name: the file's hash; filename: its path",
            additionalProperties: { type: "string", format: "binary" },
          },
        },
      },
    },
  },
  responses: { 200: jsonContent(AssetsStored, "Every hash of the body, each once."), ...tooLarge },
});

type Detail = { path: string; message: string };

/** A name or filename as the client sent it, cut short for a message (a part's name has no limit of its own). */
const shown = (text: string) => JSON.stringify(text.length > 100 ? `${text.slice(0, 100)}…` : text);

/** A part's problem, or its hash and bytes once its bytes are that hash's. */
async function checkPart(name: string, value: File | string, path: string): Promise<Detail | [AssetHash, Uint8Array]> {
  if (typeof value === "string") return { path, message: `${shown(name)} is a field, not a file part with a filename` };
  const hash = AssetHash.safeParse(name);
  if (!hash.success)
    return { path, message: `the part's name ${shown(name)} is not an asset hash (32 lowercase hex digits)` };
  const filePath = AssetPath.safeParse(value.name);
  if (!filePath.success) {
    return {
      path,
      message: `the filename ${shown(value.name)} is not a manifest path (/dir/file.ext): ${filePath.error.issues[0]?.message}`,
    };
  }
  if (value.size > MAX_ASSET_SIZE) {
    throw new ApiError(
      413,
      "payload_too_large",
      `${path}: ${value.name} is ${value.size} bytes, over the ${MAX_ASSET_SIZE} bytes (25 MiB) a file may have`,
      [{ path, message: `over ${MAX_ASSET_SIZE} bytes` }],
    );
  }
  const bytes = new Uint8Array(await value.arrayBuffer());
  const actual = assetHashOf(bytes, value.name);
  if (actual !== hash.data) {
    return { path, message: `the bytes of ${value.name} hash to ${actual}, not ${hash.data}` };
  }
  return [hash.data, bytes];
}

async function formOf(request: Request): Promise<FormData> {
  try {
    return await request.formData();
  } catch (error) {
    const reason = error instanceof Error ? error.message : "unreadable";
    throw new ApiError(400, "invalid_request", `the body is not valid multipart/form-data: ${reason}`);
  }
}

export const assetRoutes = new OpenAPIHono<AppEnv>()
  .openapi(missingRoute, async (c) => {
    const { hashes } = c.req.valid("json");
    return c.json({ missing: await missingAssets(c.env.DB, hashes) }, 200);
  })
  .openapi(uploadRoute, async (c) => {
    const parts = [...(await formOf(c.req.raw)).entries()];
    if (parts.length === 0)
      throw new ApiError(400, "invalid_request", "the body holds no file: one part per asset file");
    // Every part is checked before any is stored: a refused request stores nothing.
    const files = new Map<AssetHash, Uint8Array>();
    const details: Detail[] = [];
    for (const [index, [name, value]] of parts.entries()) {
      const checked = await checkPart(name, value, `parts.${index}`);
      if (Array.isArray(checked)) files.set(...checked);
      else details.push(checked);
    }
    const [first] = details;
    if (first !== undefined) throw new ApiError(400, "invalid_request", `${first.path}: ${first.message}`, details);
    for (const [hash, bytes] of files) await storeAsset(c.env.DB, c.env.SCRIPTS, hash, bytes);
    return c.json({ stored: [...files.keys()] }, 200);
  });
