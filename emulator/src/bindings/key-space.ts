/**
 * One tenant resource's slice of a shared store: every key the tenant names is
 * stored under `prefix`, and nothing the tenant sees carries it. Isolation
 * rests on the store's own prefix filter (miniflare lists with
 * `substr(key, 1, length(prefix)) = prefix AND key > start_after`), so no key,
 * prefix, cursor or start-after a tenant sends can reach outside the slice.
 */
export class KeySpace {
  readonly prefixBytes: number;

  constructor(readonly prefix: string) {
    this.prefixBytes = utf8Length(prefix);
  }

  toStored(key: string): string {
    return this.prefix + key;
  }

  /** The tenant's name for a stored key; the store never hands back a key outside the prefix it was asked for. */
  fromStored(stored: string): string {
    if (!stored.startsWith(this.prefix)) throw new Error("the store answered with a key outside the tenant's prefix");
    return stored.slice(this.prefix.length);
  }

  /**
   * KV and R2 cursors in miniflare are base64 of the last key returned. The
   * tenant gets base64 of its own name for that key, exactly what the real
   * binding of an unshared store would give, and any cursor it sends back is
   * read the way miniflare reads one (leniently) before the prefix goes on.
   */
  cursorToStored(cursor: string): string {
    return base64Encode(this.toStored(base64Decode(cursor)));
  }

  cursorFromStored(cursor: string): string {
    return base64Encode(this.fromStored(base64Decode(cursor)));
  }
}

export const utf8Length = (text: string): number => new TextEncoder().encode(text).byteLength;

const BASE64_DIGITS = new Map(
  [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"].map((c, i) => [c, i] as const),
);
BASE64_DIGITS.set("-", 62);
BASE64_DIGITS.set("_", 63);

/**
 * Decodes base64 as Node's `Buffer.from(text, "base64")` does (miniflare's
 * cursor decoding): both alphabets, other characters skipped, stop at the
 * first "=", a trailing lone digit dropped; invalid UTF-8 becomes U+FFFD.
 */
export function base64Decode(text: string): string {
  const bytes: number[] = [];
  let bits = 0;
  let count = 0;
  for (const char of text) {
    if (char === "=") break;
    const digit = BASE64_DIGITS.get(char);
    if (digit === undefined) continue;
    bits = (bits << 6) | digit;
    count += 6;
    if (count >= 8) {
      count -= 8;
      bytes.push((bits >> count) & 0xff);
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

export function base64Encode(text: string): string {
  let binary = "";
  for (const byte of new TextEncoder().encode(text)) binary += String.fromCharCode(byte);
  return btoa(binary);
}
