import type { BrowserContext, Page, Response } from "playwright-core";
import { expect } from "vitest";
import { SESSION_COOKIE } from "../../control-plane/src/console/session.ts";
import { platformApiToken } from "../../scripts/lib/platform.ts";

/** The operator console of a running control plane (`origin` is its http://127.0.0.1:<port>), as a browser uses it. */
export function consoleSite(origin: string) {
  const url = (pathname: string) => `${origin}${pathname}`;

  /** Fills and sends the sign-in form (reached from /console, as an operator does) with `token`: the form post's answer. */
  async function submitSignIn(page: Page, token: string): Promise<Response> {
    await page.goto(url("/console"));
    await page.waitForURL((at) => at.pathname === "/console/sign-in");
    await page.getByLabel("Operators' API token").fill(token);
    const answer = page.waitForResponse((r) => r.request().method() === "POST" && r.url() === url("/console/sign-in"));
    await page.getByRole("button", { name: "Sign in" }).click();
    const response = await answer;
    await page.waitForLoadState();
    return response;
  }

  /** Signs the page's browser in with the operators' token (the local platform's, as the other e2e tests use). */
  async function signIn(page: Page): Promise<void> {
    const response = await submitSignIn(page, platformApiToken());
    expect(response.status(), await page.title()).toBe(303);
    await page.waitForURL((at) => at.pathname !== "/console/sign-in");
  }

  /** The console's session cookie in the browser, if it has one. */
  async function sessionCookie(context: BrowserContext) {
    return (await context.cookies(url("/console"))).find((cookie) => cookie.name === SESSION_COOKIE);
  }

  /** Gives the browser a session cookie of our making (e.g. one that has expired). */
  async function setSessionCookie(context: BrowserContext, value: string): Promise<void> {
    await context.addCookies([
      // Where the console sets its own: host-only, path /console.
      {
        name: SESSION_COOKIE,
        value,
        domain: new URL(origin).hostname,
        path: "/console",
        httpOnly: true,
        sameSite: "Strict",
      },
    ]);
  }

  /** Navigates to `pathname` and expects the console's page there (status `status`). */
  async function visit(page: Page, pathname: string, status = 200): Promise<void> {
    const response = await page.goto(url(pathname));
    expect(response?.status(), `${pathname}: ${await page.title()}`).toBe(status);
  }

  return { origin, url, submitSignIn, signIn, sessionCookie, setSessionCookie, visit };
}

export type ConsoleSite = ReturnType<typeof consoleSite>;
