/**
 * Durable Object ids of tenants' namespaces: 64 hex digits, as production's,
 * whose last 16 are a check over the first 48 and the namespace id, so that
 * `idFromString` can refuse an id of another namespace as production does.
 * `idFromName` must be synchronous, so no WebCrypto: the digest is eight lanes
 * of FNV-1a with murmur3's finalizer, a non-cryptographic hash written here
 * because no maintained library offers a synchronous one for Workers without
 * `nodejs_compat`. Nothing depends on ids being unguessable: which objects a
 * tenant reaches is fixed by the script its stub was made for, never by an id
 * (durable-objects/entrypoint.ts), so a forged id reaches only the forger's own.
 *
 * Imported by the binding client shipped into tenant workers (binding.client.ts)
 * and by the emulator's entrypoint: both must agree.
 */

const LANES = 8;
const BODY_HEX = 48;
const ID = /^[0-9a-f]{64}$/;

/** FNV-1a over the text's UTF-16 code units, from `seed`, then murmur3's fmix32. */
function lane(text: string, seed: number): number {
  let hash = (0x811c9dc5 ^ Math.imul(seed, 0x9e3779b1)) >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** 64 hex digits derived from `text`. */
function digest(text: string): string {
  let out = "";
  for (let i = 0; i < LANES; i++)
    out += lane(text, i + 1)
      .toString(16)
      .padStart(8, "0");
  return out;
}

const check = (namespaceId: string, body: string) =>
  digest(`check\u0000${namespaceId}\u0000${body}`).slice(0, 64 - BODY_HEX);

/** The id an object of `namespaceId` named `name` has. */
export function namedObjectId(namespaceId: string, name: string): string {
  const body = digest(`name\u0000${namespaceId}\u0000${name}`).slice(0, BODY_HEX);
  return body + check(namespaceId, body);
}

/** A new id of `namespaceId` that no name gives. */
export function uniqueObjectId(namespaceId: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(BODY_HEX / 2));
  const body = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return body + check(namespaceId, body);
}

/** Why `text` is not an id of `namespaceId` (production's TypeError messages), or null when it is one. */
export function objectIdRefusal(namespaceId: string, text: string): string | null {
  const id = text.toLowerCase();
  if (!ID.test(id)) return "Invalid Durable Object ID: must be 64 hex digits";
  if (id.slice(BODY_HEX) !== check(namespaceId, id.slice(0, BODY_HEX)))
    return "Durable Object ID is not valid for this namespace.";
  return null;
}
