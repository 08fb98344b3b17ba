import { Hono } from "hono";
import { assetHashOfBase64 } from "../../../cloudflare-api/asset-hash";
import { MAX_ASSET_SIZE } from "../../../cloudflare-api/assets";
import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { faultGate } from "../gate/middleware";
import { account } from "../http/account";
import { readBodyBytes } from "../http/body";
import { ApiError } from "../http/errors";
import { ok } from "../http/respond";
import type { ApiEnv } from "../http/types";
import { type AssetsSession, getAssetsSession, missingAssetFiles, putAssetFile } from "./store";
import { acceptAssetsJwt, bearerOf, issueAssetsJwt } from "./tokens";
import { logUploaded } from "./upload-log";

/** Largest upload call read: a bucket (at most 50 MiB of files) in base64 with its multipart framing. */
const MAX_UPLOAD_BODY_BYTES = 100 * 1024 * 1024;

const invalid = (message: string) => new ApiError(400, ErrorCode.workersInvalidRequest, message);

/**
 * `POST /accounts/:account_id/workers/assets/upload?base64=true`: one bucket of an upload session,
 * authorised by the session's upload JWT (not an API token), each multipart part named by its hash
 * and holding the file in base64. Answers 202 `{}` while files are missing, then 201 `{jwt}` with
 * the completion JWT. Injected faults apply to it (`/__emulator/faults`), before its JWT is read; the
 * rate limit does not (it counts API tokens, and this route takes none).
 */
export const assetsUpload = new Hono<ApiEnv>();
assetsUpload.use("*", account, faultGate);

/** The part's bytes after checking it is one the session asked for, in base64, of its hash. */
async function checkedPart(session: AssetsSession, hash: string, value: string): Promise<Uint8Array> {
  if (!session.needed.includes(hash)) throw invalid(`${hash} was not asked for by this upload session`);
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(value), (ch) => ch.charCodeAt(0));
  } catch {
    throw invalid(`${hash}: the contents are not base64`);
  }
  if (bytes.byteLength > MAX_ASSET_SIZE) throw invalid(`${hash}: the file is larger than 25 MiB`);
  // The hash covers the extension, so it is checked against each path the manifest gives it.
  const paths = Object.entries(session.manifest).filter(([, entry]) => entry.hash === hash);
  const matches = paths.some(
    ([path, entry]) => entry.size === bytes.byteLength && assetHashOfBase64(value, path) === hash,
  );
  if (!matches) throw invalid(`${hash}: the contents do not match the manifest's hash and size`);
  return bytes;
}

assetsUpload.post("/", async (c) => {
  const accountId = c.get("accountId");
  const claims = await acceptAssetsJwt(c.env, bearerOf(c.req.header("authorization")), "upload", accountId);
  if (c.req.query("base64") !== "true") throw invalid("Only base64 uploads are supported: set base64=true");
  const session = await getAssetsSession(c.env, accountId, claims.session);
  if (session === null) throw new ApiError(401, ErrorCode.authenticationError, "Authentication error");
  const bytes = await readBodyBytes(c, ErrorCode.workersInvalidRequest, MAX_UPLOAD_BODY_BYTES);
  let form: FormData;
  try {
    form = await new Response(bytes, { headers: { "content-type": c.req.header("content-type") ?? "" } }).formData();
  } catch {
    throw invalid("The body must be multipart/form-data");
  }
  // Every part is checked before any is stored, so a refused call stores nothing.
  const files: [string, Uint8Array][] = [];
  for (const [hash, value] of form.entries()) {
    const text = typeof value === "string" ? value : await value.text();
    files.push([hash, await checkedPart(session, hash, text)]);
  }
  if (files.length === 0) throw invalid("The upload holds no files");
  await Promise.all(files.map(([hash, file]) => putAssetFile(c.env, accountId, hash, file)));
  await logUploaded(
    c.env,
    accountId,
    files.map(([hash, file]) => ({ hash, size: file.byteLength })),
  );
  const missing = await missingAssetFiles(c.env, accountId, session.needed);
  if (missing.length > 0) return ok(c, {}, undefined, 202);
  return ok(c, { jwt: await issueAssetsJwt(c.env, "completion", accountId, claims.session) }, undefined, 201);
});
