/**
 * Console sessions: a signed cookie and nothing stored. The cookie holds a random session id and
 * its expiry, MAC'd with a key derived from the operators' token, so rotating the token (the one
 * credential) signs every session out, and a session cannot be made or stretched without it.
 * The CSRF token of a session is a second MAC of its id, so a form is good for its session only.
 *
 * Plain WebCrypto (no Hono): the browser tests mint an expired session with the same code.
 */

/** The cookie's name. Not `__Host-`: that prefix needs `Secure`, which plain-HTTP local development cannot set. */
export const SESSION_COOKIE = "wfp_console";

export type Session = {
  /** 128 random bits, hex. */
  readonly id: string;
  /** Epoch milliseconds. */
  readonly expiresAt: number;
};

const encoder = new TextEncoder();

/** One HMAC key per purpose, so a session's MAC is never a valid CSRF token or the reverse. */
function keyFor(platformToken: string, purpose: "session" | "csrf"): Promise<CryptoKey> {
  return crypto.subtle.importKey(
    "raw",
    encoder.encode(`wfp-console-${purpose}:${platformToken}`),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign", "verify"],
  );
}

function base64url(bytes: ArrayBuffer): string {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .replace(/=+$/, "");
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]{43}$/.test(text)) return null;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
}

async function sign(platformToken: string, purpose: "session" | "csrf", message: string): Promise<string> {
  return base64url(await crypto.subtle.sign("HMAC", await keyFor(platformToken, purpose), encoder.encode(message)));
}

/** `crypto.subtle.verify` compares in constant time. */
async function verify(platformToken: string, purpose: "session" | "csrf", message: string, mac: string) {
  const bytes = fromBase64url(mac);
  if (bytes === null) return false;
  return crypto.subtle.verify("HMAC", await keyFor(platformToken, purpose), bytes, encoder.encode(message));
}

/** A new session from `now` for `ttlSeconds`, and the cookie value that carries it. */
export async function issueSession(
  platformToken: string,
  ttlSeconds: number,
  now = Date.now(),
): Promise<{ session: Session; cookie: string }> {
  const id = [...crypto.getRandomValues(new Uint8Array(16))].map((byte) => byte.toString(16).padStart(2, "0")).join("");
  const session = { id, expiresAt: now + ttlSeconds * 1000 };
  const value = `${session.id}.${session.expiresAt}`;
  return { session, cookie: `${value}.${await sign(platformToken, "session", value)}` };
}

/** The session a cookie value carries, or null when it is malformed, forged or expired. */
export async function readSession(platformToken: string, cookie: string, now = Date.now()): Promise<Session | null> {
  const match = /^([0-9a-f]{32})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(cookie);
  if (match === null || platformToken === "") return null;
  const [, id, expiry, mac] = match as unknown as [string, string, string, string];
  if (!(await verify(platformToken, "session", `${id}.${expiry}`, mac))) return null;
  const expiresAt = Number(expiry);
  return expiresAt > now ? { id, expiresAt } : null;
}

/** The token every form of this session carries (`_csrf`). */
export function csrfTokenOf(platformToken: string, session: Session): Promise<string> {
  return sign(platformToken, "csrf", session.id);
}

/** Whether a form's `_csrf` is this session's. */
export function isCsrfTokenOf(platformToken: string, session: Session, given: string): Promise<boolean> {
  return verify(platformToken, "csrf", session.id, given);
}
