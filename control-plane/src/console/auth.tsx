import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { configOf } from "../config";
import { consolePath } from "./layout";
import { csrfTokenOf, isCsrfTokenOf, issueSession, readSession, SESSION_COOKIE } from "./session";
import type { ConsoleEnv } from "./types";

/** `Secure` wherever the console is reached over HTTPS (production); plain-HTTP local development cannot keep it. */
function cookieOptions(c: Context, maxAgeSeconds: number) {
  return {
    path: "/console",
    httpOnly: true,
    secure: new URL(c.req.url).protocol === "https:",
    sameSite: "Strict",
    maxAge: maxAgeSeconds,
  } as const;
}

/** Signs the browser in: a new session cookie. */
export async function startSession(c: Context<ConsoleEnv>): Promise<void> {
  const config = configOf(c.env);
  const { cookie } = await issueSession(config.platformApiToken, config.consoleSessionTtlSeconds);
  setCookie(c, SESSION_COOKIE, cookie, cookieOptions(c, config.consoleSessionTtlSeconds));
}

export function endSession(c: Context<ConsoleEnv>): void {
  deleteCookie(c, SESSION_COOKIE, cookieOptions(c, 0));
}

/** Only a path of the console itself, so `next` cannot send the browser elsewhere after sign-in. */
export function safeNext(next: string | undefined): string {
  return next !== undefined && /^\/console(\/[\w\-./%]*)?(\?[\w\-.=&%+]*)?$/.test(next) && !next.includes("//")
    ? next
    : consolePath.tenants;
}

/**
 * Every page but sign-in needs a live session; without one, the browser is sent to sign in
 * (and back here after). A form post must also carry the session's CSRF token; Origin is
 * checked before this by hono/csrf, and the cookie is SameSite=Strict: three locks, any one
 * of which stops a forged post.
 */
export const requireSession = createMiddleware<ConsoleEnv>(async (c, next) => {
  const token = configOf(c.env).platformApiToken;
  const cookie = getCookie(c, SESSION_COOKIE);
  const session = cookie === undefined ? null : await readSession(token, cookie);
  if (session === null) {
    if (cookie !== undefined) endSession(c);
    const url = new URL(c.req.url);
    const back = c.req.method === "GET" ? `${url.pathname}${url.search}` : consolePath.tenants;
    const reason = cookie === undefined ? "" : "&expired=1";
    return c.redirect(`${consolePath.signIn}?next=${encodeURIComponent(back)}${reason}`, 303);
  }
  c.set("session", session);
  c.set("csrf", await csrfTokenOf(token, session));
  if (c.req.method !== "GET" && c.req.method !== "HEAD") {
    const form = await c.req.parseBody({ all: true }).catch(() => ({}) as Record<string, unknown>);
    const given = form._csrf;
    if (typeof given !== "string" || !(await isCsrfTokenOf(token, session, given))) {
      c.status(403);
      return c.render(
        <p class="notice error" role="alert">
          This form was not sent by your console session, so nothing was changed. Go back, reload the page and try
          again.
        </p>,
        { title: "Form refused" },
      );
    }
  }
  await next();
});
