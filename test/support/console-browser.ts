import type { BrowserContext, Locator, Page, Response } from "playwright-core";
import { expect } from "vitest";
import { SESSION_COOKIE } from "../../control-plane/src/console/session.ts";
import { platformApiToken } from "../../scripts/lib/platform.ts";

/** How long the console's pages get to show what the platform does (an onboarding, metering, logs): generous, on 2 shared cores. */
export const SHOWN_WITHIN_MS = 180_000;

/**
 * Waits until `check` holds on the page as it is: kept up to date by the page's own script, or,
 * with `reloadEveryMs`, reloaded that often meanwhile. Conditions, not timings: the intervals only
 * pace the polling.
 */
export async function untilShown(
  page: Page,
  what: string,
  check: () => Promise<boolean>,
  options: { reloadEveryMs?: number; timeoutMs?: number } = {},
): Promise<void> {
  const deadline = Date.now() + (options.timeoutMs ?? SHOWN_WITHIN_MS);
  let reloadAt = options.reloadEveryMs === undefined ? Number.POSITIVE_INFINITY : Date.now() + options.reloadEveryMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline)
      throw new Error(`${page.url()} did not show ${what} within ${options.timeoutMs ?? SHOWN_WITHIN_MS} ms`);
    if (Date.now() > reloadAt) {
      await page.reload();
      reloadAt = Date.now() + (options.reloadEveryMs as number);
    } else await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Clicks a form's submit button and expects the console to take it: a 303 to `landing` (a path, or its pattern),
 * where the browser then is. A refusal fails with what the page said.
 */
export async function submitted(page: Page, button: Locator, landing: string | RegExp): Promise<void> {
  const answer = page.waitForResponse((r) => r.request().method() === "POST" && r.request().isNavigationRequest());
  await button.click();
  const response = await answer;
  if (response.status() !== 303) {
    await page.waitForLoadState();
    const said = await page.locator('[role="alert"], .field-error').allTextContents();
    throw new Error(`${response.url()} answered ${response.status()}: ${said.join(" | ")}`);
  }
  await page.waitForURL((url) => (typeof landing === "string" ? url.pathname === landing : landing.test(url.pathname)));
}

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
