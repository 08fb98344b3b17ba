import { Hono } from "hono";
import { AssetsUploadSessionBody } from "../../../cloudflare-api/assets";
import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { ScriptName } from "../../../cloudflare-api/names";
import { parseJsonBody } from "../http/body";
import { ApiError } from "../http/errors";
import { ok } from "../http/respond";
import type { ApiEnv } from "../http/types";
import { unwrap, workersStore } from "../scripts/routes/store-answers";
import { bucketsOf } from "./buckets";
import { missingAssetFiles, putAssetsSession } from "./store";
import { issueAssetsJwt } from "./tokens";

/**
 * `POST /accounts/:account_id/workers/dispatch/namespaces/:namespace/scripts/:script/assets-upload-session`:
 * opens an upload session for a manifest; answers the upload JWT and the buckets of files the account
 * lacks. When it lacks none, the JWT is already the completion JWT (as production answers).
 */
export const assetsUploadSession = new Hono<ApiEnv>();

assetsUploadSession.post("/", async (c) => {
  const account = c.get("accountId");
  const script = ScriptName.safeParse(c.req.param("script_name"));
  if (!script.success) throw new ApiError(400, ErrorCode.invalidScriptName, "Invalid script name");
  const namespace = c.req.param("namespace") ?? "";
  // The namespace must exist, as for every script call; the script need not yet (its first upload follows).
  unwrap(await workersStore(c).getNamespace(namespace));
  const { manifest } = await parseJsonBody(c, AssetsUploadSessionBody, ErrorCode.workersInvalidRequest);
  const missing = await missingAssetFiles(
    c.env,
    account,
    Object.values(manifest).map((entry) => entry.hash),
  );
  const session = crypto.randomUUID();
  await putAssetsSession(c.env, account, session, {
    namespace,
    script: script.data,
    manifest,
    needed: missing,
  });
  const kind = missing.length === 0 ? "completion" : "upload";
  return ok(c, { jwt: await issueAssetsJwt(c.env, kind, account, session), buckets: bucketsOf(manifest, missing) });
});
