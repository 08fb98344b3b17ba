import { REDACTED } from "../cloudflare/errors";
import { hex } from "../hex";

const VALUE_PREFIX = "secret:";
const PRINT_PREFIX = "print:";
const PRINT_KEY = "print-key";

/**
 * Messages longer than this are cut when they are scrubbed and kept: an API
 * error is a few lines, and the cost of a scrub grows with the length.
 */
export const MAX_MESSAGE_CHARS = 4096;
/**
 * How much of a message is scrubbed: what it keeps and far more, so that values redacted before the
 * cut leave it its length; the rest of a longer message is dropped unread.
 */
const MAX_SCANNED_CHARS = 16 * MAX_MESSAGE_CHARS;

/**
 * How a secret's value is recognised in a message without being kept: its
 * length, a rolling hash to find candidate places cheaply, and an HMAC to be
 * sure. Both are keyed by secrets of this object's own storage.
 */
type Print = { length: number; rolling: number; mac: string };
type PrintKey = { hmac: ArrayBuffer; base: number };

// A Rabin-Karp hash modulo a prime near 2^30, with a base below 2^22 so that
// every product stays below 2^53 and plain numbers hold it exactly.
const MODULUS = 1_000_000_007;
const MAX_BASE = 2 ** 22;

function rollingHash(text: string, base: number): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (hash * base + text.charCodeAt(i)) % MODULUS;
  return hash;
}

/**
 * A tenant's secrets as its Durable Object keeps them (storage encrypted at
 * rest, never the registry, never returned):
 * - the values waiting to reach the tenant's script, from the request that
 *   sets them until the step that sends them to the API, which drops them;
 * - a print of every secret the script has, kept until the secret is deleted,
 *   so that a message coming back from the API that quotes a value (a script
 *   whose startup throws `env.SECRET`) is scrubbed before it is returned,
 *   logged or stored, even once the value itself is gone from here.
 */
export class TenantSecrets {
  constructor(private readonly storage: DurableObjectStorage) {}

  /** The values waiting to be sent. */
  async pending(): Promise<Map<string, string>> {
    const entries = await this.storage.list<string>({ prefix: VALUE_PREFIX });
    return new Map([...entries].map(([key, value]) => [key.slice(VALUE_PREFIX.length), value]));
  }

  async get(name: string): Promise<string | undefined> {
    return this.storage.get<string>(`${VALUE_PREFIX}${name}`);
  }

  /** Keeps the values until they are sent, and their prints for as long as the secrets exist. */
  async put(values: Record<string, string>): Promise<void> {
    const entries = Object.entries(values);
    if (entries.length === 0) return;
    const key = await this.#printKey();
    const stored: Record<string, unknown> = {};
    for (const [name, value] of entries) {
      stored[`${VALUE_PREFIX}${name}`] = value;
      stored[`${PRINT_PREFIX}${name}`] = await printOf(value, key);
    }
    await this.storage.put(stored);
  }

  /** The values were sent: drop them, keep their prints. */
  async drop(names: Iterable<string>): Promise<void> {
    const keys = [...names].map((name) => `${VALUE_PREFIX}${name}`);
    if (keys.length > 0) await this.storage.delete(keys);
  }

  /** The secrets are gone from the tenant: nothing of them is kept. */
  async forget(names: Iterable<string>): Promise<void> {
    const keys = [...names].flatMap((name) => [`${VALUE_PREFIX}${name}`, `${PRINT_PREFIX}${name}`]);
    if (keys.length > 0) await this.storage.delete(keys);
  }

  async clear(): Promise<void> {
    const [values, prints] = await Promise.all([
      this.storage.list({ prefix: VALUE_PREFIX }),
      this.storage.list({ prefix: PRINT_PREFIX }),
    ]);
    const keys = [...values.keys(), ...prints.keys(), PRINT_KEY];
    // storage.delete takes at most 128 keys at a time.
    for (let i = 0; i < keys.length; i += 128) await this.storage.delete(keys.slice(i, i + 128));
  }

  /**
   * `message` with every value of the tenant's secrets (waiting or sent) replaced by REDACTED, cut
   * to MAX_MESSAGE_CHARS. The cut comes after the scrub: a value the cut went through would no
   * longer match itself or its print, and its first part would be kept.
   */
  async scrub(message: string): Promise<string> {
    const pending = [...(await this.pending()).values()];
    const prints = [...(await this.storage.list<Print>({ prefix: PRINT_PREFIX })).values()];
    const scanned = message.slice(0, MAX_SCANNED_CHARS);
    let text = await this.#redact(scanned, pending, prints);
    if (scanned.length < message.length) {
      // The scan's own end may have cut a value short: as long a tail as the longest value goes too.
      const longest = Math.max(0, ...pending.map((value) => value.length), ...prints.map((print) => print.length));
      text = text.slice(0, Math.max(0, text.length - longest));
    }
    return message.length > MAX_MESSAGE_CHARS || text.length > MAX_MESSAGE_CHARS
      ? `${text.slice(0, MAX_MESSAGE_CHARS)}…`
      : text;
  }

  async #redact(message: string, pending: readonly string[], prints: readonly Print[]): Promise<string> {
    let text = message;
    // Longest first, so that a secret containing another is redacted whole.
    for (const value of [...pending].sort((a, b) => b.length - a.length)) text = text.replaceAll(value, REDACTED);
    if (prints.length === 0) return text;
    const key = await this.#printKey();
    const hmac = await importHmacKey(key.hmac);
    for (const length of [...new Set(prints.map((print) => print.length))].sort((a, b) => b - a)) {
      const wanted = prints.filter((print) => print.length === length);
      text = await redactWindows(text, length, wanted, key.base, hmac);
    }
    return text;
  }

  async #printKey(): Promise<PrintKey> {
    const existing = await this.storage.get<PrintKey>(PRINT_KEY);
    if (existing !== undefined) return existing;
    const created: PrintKey = {
      hmac: crypto.getRandomValues(new Uint8Array(32)).buffer,
      base: 256 + ((crypto.getRandomValues(new Uint32Array(1))[0] as number) % (MAX_BASE - 256)),
    };
    await this.storage.put(PRINT_KEY, created);
    return created;
  }
}

function importHmacKey(raw: ArrayBuffer): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

async function macOf(value: string, key: CryptoKey): Promise<string> {
  return hex(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(value)));
}

async function printOf(value: string, key: PrintKey): Promise<Print> {
  return {
    length: value.length,
    rolling: rollingHash(value, key.base),
    mac: await macOf(value, await importHmacKey(key.hmac)),
  };
}

/** Slides a window of `length` over `text`; where one of the prints matches, the window is redacted. */
async function redactWindows(
  text: string,
  length: number,
  prints: readonly Print[],
  base: number,
  hmac: CryptoKey,
): Promise<string> {
  if (length === 0 || length > text.length) return text;
  const rollings = new Set(prints.map((print) => print.rolling));
  const macs = new Set(prints.map((print) => print.mac));
  // base^(length-1) mod MODULUS: what the window's first character weighs, taken out as it slides.
  let lead = 1;
  for (let i = 1; i < length; i++) lead = (lead * base) % MODULUS;
  const found: number[] = [];
  let hash = rollingHash(text.slice(0, length), base);
  for (let start = 0; ; start++) {
    if (rollings.has(hash) && macs.has(await macOf(text.slice(start, start + length), hmac))) found.push(start);
    const end = start + length;
    if (end >= text.length) break;
    const out = (text.charCodeAt(start) * lead) % MODULUS;
    hash = (((hash - out + MODULUS) % MODULUS) * base + text.charCodeAt(end)) % MODULUS;
  }
  if (found.length === 0) return text;
  // Rebuild from the matches, merging overlaps.
  let result = "";
  let cursor = 0;
  for (const start of found) {
    if (start + length <= cursor) continue;
    result += text.slice(cursor, Math.max(cursor, start)) + (start >= cursor ? REDACTED : "");
    cursor = start + length;
  }
  return result + text.slice(cursor);
}
