import { getMimeType } from "hono/utils/mime";
import { z } from "zod";
import { type AssetHash, type AssetManifest, AssetsUploadSession } from "../../../cloudflare-api/assets";
import type { CloudflareApi } from "./transport";

/**
 * A file of a bucket as the upload sends it: its contents in base64, typed with the content type of
 * its path (production serves it so). A Blob, built once: each attempt's body reads it again.
 */
export interface AssetFile {
  readonly hash: AssetHash;
  readonly base64: Blob;
}

/** The content type a file is uploaded with (production serves it so): its path's, wrangler's default otherwise. */
export const assetContentType = (path: string): string => getMimeType(path) ?? "application/octet-stream";

const UploadAnswer = z.object({ jwt: z.string().min(1).optional() });

/**
 * Static assets' direct upload for a script in a dispatch namespace
 * (developers.cloudflare.com/workers/static-assets/direct-upload/): a session for the manifest,
 * then each bucket of files it asks for. Both are retried like idempotent calls: a second session
 * is harmless (it asks only for what the API still lacks), and a bucket sent again stores nothing twice.
 */
export class AssetUploads {
  constructor(private readonly api: CloudflareApi) {}

  /** Opens an upload session: its JWT, and the hashes to upload in buckets (none: the JWT is already the completion JWT). */
  async openSession(namespace: string, script: string, manifest: AssetManifest): Promise<AssetsUploadSession> {
    const { api } = this;
    const answer = await api.run(
      `open an assets upload session for script ${script} in ${namespace}`,
      "idempotent",
      () =>
        api.sdk.workersForPlatforms.dispatch.namespaces.scripts.assetUpload.create(script, {
          account_id: api.accountId,
          dispatch_namespace: namespace,
          manifest,
        }),
    );
    return AssetsUploadSession.parse(answer);
  }

  /**
   * Uploads one bucket with the session's JWT as the bearer (not the API token). Built here, not by
   * the SDK: its `workers.assets.upload.create` sends the API token, and each file as a bare string
   * field, without the content type production serves the file with. Returns the completion JWT when
   * this upload completed the session, else null.
   */
  async uploadBucket(jwt: string, files: readonly AssetFile[]): Promise<string | null> {
    const form = () => {
      const body = new FormData();
      for (const file of files) body.append(file.hash, new File([file.base64], file.hash, { type: file.base64.type }));
      return body;
    };
    const answer = await this.api.requestWithToken(
      jwt,
      `upload ${files.length} asset files`,
      "idempotent",
      "POST",
      "/workers/assets/upload?base64=true",
      form,
    );
    return UploadAnswer.parse(answer ?? {}).jwt ?? null;
  }
}
