import { exports } from "cloudflare:workers";
import { expect } from "vitest";
import { SESSION_COOKIE } from "../../src/console/session";
import { TOKEN } from "../tenants/support";

const controlPlane = (exports as unknown as { default: Fetcher }).default;
export const ORIGIN = "http://control-plane";

/** A request to the console as a browser sends it (same-origin, no redirects followed). */
export function browse(path: string, init: RequestInit & { cookie?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  if (init.cookie !== undefined) headers.set("cookie", `${SESSION_COOKIE}=${init.cookie}`);
  return controlPlane.fetch(`${ORIGIN}${path}`, { ...init, headers, redirect: "manual" });
}

/** A form post from the console's own pages (its Origin). */
export function post(path: string, fields: Record<string, string>, cookie?: string, origin = ORIGIN) {
  return browse(path, {
    method: "POST",
    body: new URLSearchParams(fields),
    headers: { origin, "content-type": "application/x-www-form-urlencoded" },
    ...(cookie === undefined ? {} : { cookie }),
  });
}

/** The session cookie a response set, if any. */
export function sessionCookieOf(response: Response): string | undefined {
  for (const line of response.headers.getSetCookie()) {
    const match = new RegExp(`^${SESSION_COOKIE}=([^;]*)`).exec(line);
    if (match !== null) return match[1];
  }
  return undefined;
}

/** Signs in with the operators' token; the session cookie's value. */
export async function signIn(): Promise<string> {
  const response = await post("/console/sign-in", { token: TOKEN, next: "/console/tenants" });
  const cookie = sessionCookieOf(response);
  if (response.status !== 303 || cookie === undefined) throw new Error(`sign-in failed: ${response.status}`);
  return cookie;
}

/** The `_csrf` value of the first form on a page. */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (match === null) throw new Error("no _csrf field on the page");
  return match[1] as string;
}

/** A page's HTML as a signed-in browser gets it, its status checked (the start of the page in the failure's message). */
export async function pageHtml(path: string, cookie: string, status = 200): Promise<string> {
  const response = await browse(path, { cookie });
  const html = await response.text();
  expect(response.status, html.slice(0, 500)).toBe(status);
  return html;
}
