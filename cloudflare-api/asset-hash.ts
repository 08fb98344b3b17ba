import { blake3 } from "@noble/hashes/blake3.js";
import { bytesToHex } from "@noble/hashes/utils.js";

/**
 * A static asset's hash as wrangler computes it for the manifest (deploy-helpers' `hashFile`):
 * the first 32 hex digits of BLAKE3(base64 of the contents + the extension without its dot).
 * WebCrypto has no BLAKE3, hence @noble/hashes (pure JavaScript, audited, runs in workerd and Node).
 * The emulator checks uploads with it; the control plane and `wfp deploy` compute it.
 */
export function assetHashOfBase64(base64Contents: string, path: string): string {
  return bytesToHex(blake3(new TextEncoder().encode(base64Contents + extensionOf(path)))).slice(0, 32);
}

/** The same hash from the file's bytes. */
export function assetHashOf(contents: Uint8Array, path: string): string {
  return assetHashOfBase64(base64Of(contents), path);
}

/** A file's extension as the hash takes it (Node's `path.extname` without the dot): "" for none or a dotfile. */
export function extensionOf(path: string): string {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return dot <= 0 ? "" : name.slice(dot + 1);
}

/** Base64 of bytes, in chunks: `String.fromCharCode(...bytes)` overflows the stack on large files. */
export function base64Of(bytes: Uint8Array): string {
  let binary = "";
  const CHUNK = 0x8000;
  for (let i = 0; i < bytes.length; i += CHUNK) binary += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return btoa(binary);
}
