import { exports } from "cloudflare:workers";

export const TOKEN = "local-dev-token";
export const ACCOUNT = "0123456789abcdef0123456789abcdef";
export const OTHER_ACCOUNT = "fedcba9876543210fedcba9876543210";
const BASE = "http://emulator.local";

/** Calls the emulator Worker under test as an HTTP client would. */
export function call(path: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? TOKEN : init.token;
  if (token !== null && !headers.has("authorization")) headers.set("authorization", `Bearer ${token}`);
  return exports.default.fetch(new Request(`${BASE}${path}`, { ...init, headers }));
}

/** JSON body with the right content type. */
export function json(method: string, body: unknown, extra: RequestInit = {}): RequestInit {
  return { ...extra, method, body: JSON.stringify(body), headers: { "content-type": "application/json" } };
}

export const v4 = (path: string) => `/client/v4${path}`;
export const acct = (path: string, accountId = ACCOUNT) => v4(`/accounts/${accountId}${path}`);
