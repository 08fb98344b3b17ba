import { ErrorCode } from "../../../cloudflare-api/error-codes";
import type { Env } from "../env";
import { ApiError } from "../http/errors";
import { ASSETS_JWT_TTL_SECONDS, type AssetsJwtClaims, signAssetsJwt, verifyAssetsJwt } from "./jwt";

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** The emulator's signing secret: its API token setting (never sent anywhere; only keys the HMAC). */
const secretOf = (env: Env) => env.EMULATOR_API_TOKEN;

export function issueAssetsJwt(env: Env, kind: AssetsJwtClaims["kind"], account: string, session: string) {
  return signAssetsJwt(secretOf(env), { kind, account, session, exp: nowSeconds() + ASSETS_JWT_TTL_SECONDS });
}

const refused = () => new ApiError(401, ErrorCode.authenticationError, "Authentication error");

/** The claims of a valid, unexpired JWT of `kind` for `account`; otherwise 401 (the reason is not told). */
export async function acceptAssetsJwt(
  env: Env,
  jwt: string,
  kind: AssetsJwtClaims["kind"],
  account: string,
): Promise<AssetsJwtClaims> {
  const claims = await verifyAssetsJwt(secretOf(env), jwt, nowSeconds());
  if (claims === null || claims.kind !== kind || claims.account !== account) throw refused();
  return claims;
}

/** The bearer token of the Authorization header, which for the upload is the upload JWT. */
export function bearerOf(header: string | undefined): string {
  const match = /^Bearer ([\x21-\x7e]+)$/.exec(header ?? "");
  if (match === null) throw refused();
  return match[1] as string;
}
