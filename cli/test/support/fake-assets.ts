import type { z } from "zod";
import { assetHashOf } from "../../../cloudflare-api/asset-hash.ts";
import { AssetHash, AssetPath } from "../../../cloudflare-api/assets.ts";
import {
  type AssetsMissing,
  AssetsMissingRequest,
  type AssetsStored,
  type ErrorCode,
  type ScriptAssets,
} from "../../../platform/tenants-api.ts";

type Refuse = (status: number, code: ErrorCode, message: string) => never;
type Parse = <T extends z.ZodType>(schema: T, value: unknown) => z.infer<T>;

/** One part of a `POST /v1/assets` as it arrived: its field name (the hash), its filename and size. */
export type UploadedPart = { name: string; filename: string; size: number };

/**
 * The fake control plane's static assets, as control-plane/README.md ("Static assets") has them:
 * files held by hash, shared by every tenant; `missing` answers which of some hashes it lacks;
 * `upload` takes a multipart body whose every part must be a file named by the hash of its bytes
 * and filename (the whole body refused, nothing stored, otherwise); `check` refuses a script's
 * manifest naming a file it does not hold. `uploads` records every body's parts.
 */
export function fakeAssets(refuse: Refuse, parse: Parse) {
  const stored = new Set<string>();
  const uploads: UploadedPart[][] = [];
  return {
    uploads,
    missing(body: unknown): AssetsMissing {
      const { hashes } = parse(AssetsMissingRequest, body);
      return { missing: [...new Set(hashes)].filter((hash) => !stored.has(hash)) };
    },
    async upload(contentType: string, raw: Buffer): Promise<AssetsStored> {
      if (!contentType.startsWith("multipart/form-data")) refuse(400, "invalid_request", "the body must be multipart");
      const form = await new Response(new Uint8Array(raw), { headers: { "content-type": contentType } }).formData();
      const parts: (UploadedPart & { hash: string })[] = [];
      for (const [name, value] of form.entries()) {
        const at = `parts.${parts.length}`;
        if (typeof value === "string") refuse(400, "invalid_request", `${at}: must be a file`);
        const file = value as File;
        if (!AssetHash.safeParse(name).success) refuse(400, "invalid_request", `${at}: its name must be a hash`);
        if (!AssetPath.safeParse(file.name).success)
          refuse(400, "invalid_request", `${at}: its filename must be a path`);
        const hash = assetHashOf(new Uint8Array(await file.arrayBuffer()), file.name);
        if (hash !== name) refuse(400, "invalid_request", `${at}: its bytes hash to ${hash}, not ${name}`);
        parts.push({ name, filename: file.name, size: file.size, hash });
      }
      if (parts.length === 0) refuse(400, "invalid_request", "the body has no file");
      uploads.push(parts.map(({ name, filename, size }) => ({ name, filename, size })));
      for (const part of parts) stored.add(part.hash);
      return { stored: [...new Set(parts.map((part) => part.hash))] };
    },
    check(assets: ScriptAssets | null | undefined): void {
      const missing = Object.entries(assets?.manifest ?? {}).filter(([, entry]) => !stored.has(entry.hash));
      if (missing.length > 0) {
        refuse(400, "assets_missing", `${missing.length} file(s) of the manifest are not stored: ${missing[0]?.[0]}`);
      }
    },
    clear() {
      stored.clear();
      uploads.length = 0;
    },
  };
}
