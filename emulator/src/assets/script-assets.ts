import type { Context } from "hono";
import type { AssetManifest } from "../../../cloudflare-api/assets";
import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { ApiError } from "../http/errors";
import type { ApiEnv } from "../http/types";
import { getAssetsSession, missingAssetFiles } from "./store";
import { acceptAssetsJwt } from "./tokens";

/**
 * The manifest a script upload's `metadata.assets.jwt` names: a completion JWT of this account
 * (else 401/10000), of an upload session opened for this script (else 400/10021), whose files are
 * all stored (else 400/10021: a JWT made before its files were uploaded cannot be a completion).
 */
export async function assetsManifestOf(
  c: Context<ApiEnv>,
  id: { namespace: string; script: string },
  jwt: string,
): Promise<AssetManifest> {
  const account = c.get("accountId");
  const claims = await acceptAssetsJwt(c.env, jwt, "completion", account);
  const session = await getAssetsSession(c.env, account, claims.session);
  if (session === null) throw new ApiError(401, ErrorCode.authenticationError, "Authentication error");
  if (session.namespace !== id.namespace || session.script !== id.script) {
    throw new ApiError(
      400,
      ErrorCode.scriptValidationFailed,
      `metadata.assets.jwt is the completion token of an upload session for another script (${session.namespace}/${session.script})`,
    );
  }
  const missing = await missingAssetFiles(
    c.env,
    account,
    Object.values(session.manifest).map((entry) => entry.hash),
  );
  if (missing.length > 0) {
    throw new ApiError(
      400,
      ErrorCode.scriptValidationFailed,
      `${missing.length} asset file(s) of the manifest are not uploaded`,
    );
  }
  return session.manifest;
}
