import type { VersionAssets } from "../assets/version-assets";
import type { StoredBinding } from "./bindings";

const hex = (bytes: ArrayBuffer) => [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");

export async function sha256Hex(data: Uint8Array | string): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  return hex(await crypto.subtle.digest("SHA-256", bytes));
}

/** JSON with object keys sorted, so equal content always hashes the same. */
export function stableStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${stableStringify(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** Everything that decides how a version runs: the etag changes whenever any of it does. */
export interface VersionContent {
  mainModule: string | null;
  modules: { name: string; type: string; sha256: string }[];
  compatibilityDate: string | undefined;
  compatibilityFlags: string[];
  bindings: StoredBinding[];
  limits: unknown;
  /**
   * The script's Durable Object classes and their namespaces (undefined when it
   * has none): a class deleted and created again has a new namespace, which the
   * loaded worker's bindings carry, so it is a new version.
   */
  objectClasses?: Readonly<Record<string, string>> | undefined;
  /** The static assets' manifest key and config (undefined without assets): a changed file or setting is a new version. */
  assets?: VersionAssets | undefined;
}

/**
 * The version's etag: sha-256 over its metadata and module hashes. Secret
 * values enter only as an HMAC under the account's own random key, so the
 * published etag cannot be used to guess a secret offline.
 */
export async function computeEtag(content: VersionContent, secretKey: CryptoKey): Promise<string> {
  const bindings = await Promise.all(
    content.bindings.map(async (binding) => {
      if (binding.type !== "secret_text") return binding;
      const mac = await crypto.subtle.sign("HMAC", secretKey, new TextEncoder().encode(binding.text));
      return { ...binding, text: hex(mac) };
    }),
  );
  return sha256Hex(stableStringify({ ...content, bindings }));
}
