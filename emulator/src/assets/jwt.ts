import { z } from "zod";

/**
 * The JWTs of the assets upload flow (HS256). Hand-written on WebCrypto: the project has no JWT
 * dependency, and signing and checking one HMAC token is a few lines that need nothing else.
 * The key is derived from the emulator's API token(s), so no new setting is needed and a token
 * signed by one emulator is refused by another with other tokens.
 */

/** The upload JWT is valid for an hour, as is the completion JWT (direct-upload docs). */
export const ASSETS_JWT_TTL_SECONDS = 3600;

export const AssetsJwtClaims = z.object({
  /** "upload": lets its holder upload the session's buckets; "completion": all its files are there. */
  kind: z.enum(["upload", "completion"]),
  account: z.string(),
  session: z.string(),
  exp: z.number().int(),
});
export type AssetsJwtClaims = z.infer<typeof AssetsJwtClaims>;

const encoder = new TextEncoder();
const HEADER = base64url(encoder.encode(JSON.stringify({ alg: "HS256", typ: "JWT" })));

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return null;
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/"));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

async function keyOf(secret: string): Promise<CryptoKey> {
  const material = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: new Uint8Array(), info: encoder.encode("wfp-emulator assets jwt") },
    material,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
}

export async function signAssetsJwt(secret: string, claims: AssetsJwtClaims): Promise<string> {
  const signed = `${HEADER}.${base64url(encoder.encode(JSON.stringify(claims)))}`;
  const signature = await crypto.subtle.sign("HMAC", await keyOf(secret), encoder.encode(signed));
  return `${signed}.${base64url(new Uint8Array(signature))}`;
}

/** The claims of a JWT this emulator signed and that has not expired; null for anything else. */
export async function verifyAssetsJwt(
  secret: string,
  jwt: string,
  nowSeconds: number,
): Promise<AssetsJwtClaims | null> {
  const [header, payload, signature, ...rest] = jwt.split(".");
  if (header !== HEADER || payload === undefined || signature === undefined || rest.length > 0) return null;
  const signatureBytes = fromBase64url(signature);
  const payloadBytes = fromBase64url(payload);
  if (signatureBytes === null || payloadBytes === null) return null;
  const key = await keyOf(secret);
  if (!(await crypto.subtle.verify("HMAC", key, signatureBytes, encoder.encode(`${header}.${payload}`)))) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(payloadBytes));
  } catch {
    return null;
  }
  const claims = AssetsJwtClaims.safeParse(parsed);
  if (!claims.success || claims.data.exp <= nowSeconds) return null;
  return claims.data;
}
