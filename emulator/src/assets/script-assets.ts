import type { Context } from "hono";
import type { AssetManifest } from "../../../cloudflare-api/assets";
import { ErrorCode } from "../../../cloudflare-api/error-codes";
import type { ScriptMetadata } from "../../../cloudflare-api/script-metadata";
import { ApiError } from "../http/errors";
import type { ApiEnv } from "../http/types";
import { putManifest } from "./manifests";
import { getAssetsSession, missingAssetFiles } from "./store";
import { acceptAssetsJwt } from "./tokens";
import type { AssetsChange } from "./version-assets";

const invalid = (message: string) => new ApiError(400, ErrorCode.scriptValidationFailed, message);

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
    throw invalid(
      `metadata.assets.jwt is the completion token of an upload session for another script (${session.namespace}/${session.script})`,
    );
  }
  const missing = await missingAssetFiles(
    c.env,
    account,
    Object.values(session.manifest).map((entry) => entry.hash),
  );
  if (missing.length > 0) throw invalid(`${missing.length} asset file(s) of the manifest are not uploaded`);
  return session.manifest;
}

/**
 * What an upload's metadata says about its version's assets (none: undefined). `metadata.assets.jwt`
 * brings new files, whose manifest is stored for serving here; `keep_assets: true` keeps the latest
 * version's (the store resolves them). Refused with 400/10021: both at once, and a config with neither.
 */
export async function assetsChangeOf(
  c: Context<ApiEnv>,
  id: { namespace: string; script: string },
  metadata: Pick<ScriptMetadata, "assets" | "keep_assets">,
): Promise<AssetsChange | undefined> {
  const { assets, keep_assets: keep } = metadata;
  if (keep === true) {
    if (assets?.jwt !== undefined) {
      throw invalid("keep_assets cannot be sent with metadata.assets.jwt: keep the assets, or upload new ones");
    }
    return { kind: "keep", config: assets?.config };
  }
  if (assets === undefined) return undefined;
  if (assets.jwt === undefined) {
    throw invalid(
      "metadata.assets needs the completion jwt of an assets upload session (or keep_assets: true to keep the script's assets)",
    );
  }
  const manifest = await assetsManifestOf(c, id, assets.jwt);
  const key = await putManifest(c.env, c.get("accountId"), manifest);
  return { kind: "new", assets: { manifest: key, config: assets.config ?? {} } };
}
