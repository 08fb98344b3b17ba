import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { schemaProblems } from "./openapi";

export const TOKEN = "local-dev-token";
export const ACCOUNT = "0123456789abcdef0123456789abcdef";
export const OTHER_ACCOUNT = "fedcba9876543210fedcba9876543210";
const BASE = "http://emulator.local";

/**
 * Calls the emulator Worker under test as an HTTP client would. Every JSON
 * answer on a path the official OpenAPI extract covers is validated against
 * it here, so no test can pass with an answer of the wrong shape.
 */
export async function call(path: string, init: RequestInit & { token?: string | null } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  const token = init.token === undefined ? TOKEN : init.token;
  if (token !== null && !headers.has("authorization")) headers.set("authorization", `Bearer ${token}`);
  const method = init.method ?? "GET";
  const res = await exports.default.fetch(new Request(`${BASE}${path}`, { ...init, headers }));
  if (path.startsWith("/client/v4/") && res.headers.get("content-type")?.includes("application/json")) {
    const body = await res.clone().json();
    const problems = schemaProblems(method, path.replace(/^\/client\/v4/, "").replace(/\?.*$/, ""), res.status, body);
    expect(problems ?? [], `answer to ${method} ${path} does not match Cloudflare's OpenAPI schema`).toEqual([]);
  }
  return res;
}

/** JSON body with the right content type. */
export function json(method: string, body: unknown, extra: RequestInit = {}): RequestInit {
  return { ...extra, method, body: JSON.stringify(body), headers: { "content-type": "application/json" } };
}

export const v4 = (path: string) => `/client/v4${path}`;
export const acct = (path: string, accountId = ACCOUNT) => v4(`/accounts/${accountId}${path}`);

/** The `result` of a successful v4 answer, after checking the envelope. */
export async function resultOf<T>(res: Response, status = 200): Promise<T> {
  const body = await res.json<{ success: boolean; errors: unknown[]; result: T }>();
  expect(body, `expected a ${status} success envelope`).toMatchObject({ success: true, errors: [] });
  expect(res.status).toBe(status);
  return body.result;
}

/** The first error of a failed v4 answer, after checking status and envelope. */
export async function errorOf(res: Response, status: number): Promise<{ code: number; message: string }> {
  const body = await res.json<{ success: boolean; errors: { code: number; message: string }[]; result: null }>();
  expect(res.status).toBe(status);
  expect(body.success).toBe(false);
  expect(body.result).toBeNull();
  const first = body.errors[0];
  if (first === undefined) throw new Error("failure envelope without errors");
  return first;
}
