import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueSession, SESSION_COOKIE } from "../../control-plane/src/console/session.ts";
import { platformApiToken } from "../../scripts/lib/platform.ts";
import { LOOPBACK } from "../../scripts/lib/ports.ts";
import { browserForFile } from "../support/browser.ts";
import { type ConsoleSite, consoleSite, submitted } from "../support/console-browser.ts";
import { type ControlPlaneApi, controlPlaneApi, eventually, unique } from "../support/control-plane-api.ts";
import { devPlatformForFile } from "../support/dev-platform.ts";

// The console's locks, tried in a real Chromium against `npm run dev`'s control plane: a wrong
// token, a session that has ended, a form posted from another origin or without the session's
// CSRF token; and a tenant's secret, whose value no page ever holds. Signing in works by keyboard alone.

/** A tenant with every resource, on a loaded 2-core machine. */
const PROVISIONING_TIMEOUT_MS = 120_000;

const dev = devPlatformForFile("console-security");
const chromium = browserForFile();
let site: ConsoleSite;
let controlPlane: ControlPlaneApi;
beforeAll(() => {
  site = consoleSite(dev.url("control-plane", ""));
  controlPlane = controlPlaneApi(dev.url("control-plane", "/"));
});

describe("signing in to the console", () => {
  it("sends a browser without a session to sign in; the operators' token gets an HttpOnly, SameSite=Strict session", async () => {
    const page = await chromium.newPage();
    await site.signIn(page);
    expect(new URL(page.url()).pathname).toBe("/console/tenants");
    const cookie = await site.sessionCookie(page.context());
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: "Strict", path: "/console", secure: false });
    expect(cookie?.expires).toBeGreaterThan(Date.now() / 1000);
    // The session is not readable by the page's scripts, and the token is nowhere in the page.
    expect(await page.evaluate(() => document.cookie)).toBe("");
    expect(await page.content()).not.toContain(platformApiToken());
    await page.context().close();
  });

  it("signs in with the keyboard alone: the form is reached with Tab and sent with Enter", async () => {
    const page = await chromium.newPage();
    await page.goto(site.url("/console"));
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toBe("Skip to content");
    for (let tabs = 0; tabs < 10 && (await page.evaluate(() => document.activeElement?.id)) !== "token"; tabs++) {
      await page.keyboard.press("Tab");
    }
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("token");
    await page.keyboard.type(platformApiToken());
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.pathname === "/console/tenants");
    expect(await site.sessionCookie(page.context())).toBeDefined();
    await page.context().close();
  });

  it("refuses a wrong token: the page says so, and the browser has no session", async () => {
    const page = await chromium.newPage();
    const wrong = `not-the-token-${crypto.randomUUID()}`;
    const response = await site.submitSignIn(page, wrong);
    expect(response.status()).toBe(401);
    await expect(page.getByRole("alert").textContent()).resolves.toContain("That token is wrong");
    expect(await page.content()).not.toContain(wrong);
    expect(await site.sessionCookie(page.context())).toBeUndefined();
    // Still not signed in: the console sends the browser back to sign in.
    await page.goto(site.url("/console/tenants"));
    expect(new URL(page.url()).pathname).toBe("/console/sign-in");
    await page.context().close();
  });

  it("sends the browser of an ended session to sign in, saying the session ended, and back after", async () => {
    const page = await chromium.newPage();
    const { cookie } = await issueSession(platformApiToken(), 60, Date.now() - 2 * 60 * 60 * 1000);
    await site.setSessionCookie(page.context(), cookie);
    await page.goto(site.url("/console/rollouts"));
    const at = new URL(page.url());
    expect(at.pathname).toBe("/console/sign-in");
    expect(at.searchParams.get("next")).toBe("/console/rollouts");
    await expect(page.getByRole("alert").textContent()).resolves.toContain("Your session has ended");
    // The ended session's cookie is cleared; signing in again leads back to where the operator was going.
    expect(await site.sessionCookie(page.context())).toBeUndefined();
    await page.getByLabel("Operators' API token").fill(platformApiToken());
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((url) => url.pathname === "/console/rollouts");
    await page.context().close();
  });
});

/** A page on another origin (a loopback port of its own) that posts a form to `action` as soon as it loads. */
async function forgingSite(action: string, fields: Record<string, string>): Promise<{ url: string; close(): void }> {
  const inputs = Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${name}" value="${value}">`)
    .join("");
  const html = `<!doctype html><title>You won a prize</title>
<form method="post" action="${action}">${inputs}</form>
<script>document.forms[0].submit()</script>`;
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, LOOPBACK, resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://${LOOPBACK}:${port}/`, close: () => server.close() };
}

/** A tenant made through /v1 (no code, no resources: quick), once it is active. */
const onboardPlain = (prefix: string) =>
  controlPlane.onboard({ id: unique(prefix), plan: "free", resources: { kv: false, r2: false, d1: false } });

const stateOf = async (id: string) => (await controlPlane.api("GET", `/v1/tenants/${id}`)).json.state;

describe("a forged form post", () => {
  let forger: { url: string; close(): void } | undefined;
  afterAll(() => forger?.close());

  it("from a page on another origin is refused, and nothing changes", async () => {
    const id = await onboardPlain("forged");
    const page = await chromium.newPage();
    await site.signIn(page);
    // Another port of the same loopback address: the same site, so even SameSite=Strict sends the
    // cookie along, and the Origin check is what refuses it. The forger knows the tenant and the
    // confirmation, not the session's CSRF token.
    const action = site.url(`/console/tenants/${id}/delete`);
    forger = await forgingSite(action, { confirm: id, _csrf: "A".repeat(43) });
    const posted = page.waitForResponse((r) => r.request().method() === "POST" && r.url() === action);
    await page.goto(forger.url);
    const response = await posted;
    expect(response.status()).toBe(403);
    const sent = await response.request().allHeaders();
    expect(sent.origin).toBe(new URL(forger.url).origin);
    expect(sent["sec-fetch-site"]).toBe("same-site");
    expect(sent.cookie).toContain(`${SESSION_COOKIE}=`);
    await page.waitForURL(action);
    await expect(page.getByRole("alert").textContent()).resolves.toContain("refused");
    expect(await stateOf(id)).toBe("active");
    // Still signed in.
    await site.visit(page, `/console/tenants/${id}/delete`);
    await page.context().close();
  });

  it("from the console's own origin without the session's CSRF token is refused, and nothing changes", async () => {
    const id = await onboardPlain("no-csrf");
    const page = await chromium.newPage();
    await site.signIn(page);
    await site.visit(page, `/console/tenants/${id}/delete`);
    await page.getByLabel(`Type ${id} to confirm`).fill(id);
    // The page's own delete form, its _csrf field taken out, sent as the browser sends it.
    const form = page.locator(`form[action="/console/tenants/${id}/delete"]`);
    await form.locator('input[name="_csrf"]').evaluate((field) => field.remove());
    const posted = page.waitForResponse((r) => r.request().method() === "POST");
    await page.getByRole("button", { name: `Delete ${id}` }).click();
    const response = await posted;
    expect(response.status()).toBe(403);
    // The browser names the console as the form's origin (its Referrer-Policy is same-origin).
    const sent = await response.request().allHeaders();
    expect(sent.origin).toBe(site.origin);
    expect(sent["sec-fetch-site"]).toBe("same-origin");
    await page.waitForURL(site.url(`/console/tenants/${id}/delete`));
    await expect(page.getByRole("alert").textContent()).resolves.toContain("nothing was changed");
    expect(await stateOf(id)).toBe("active");
    await site.visit(page, `/console/tenants/${id}/delete`);
    await page.context().close();
  });
});

describe("a tenant's secret", () => {
  it("is set through the console, and its value is in no page of the console", async () => {
    const id = unique("secretive");
    const value = `never-in-a-page-${crypto.randomUUID()}`;
    const page = await chromium.newPage();
    await site.signIn(page);
    const seen: string[] = [];
    /** The page as the browser has it now holds neither the value nor the operators' token. */
    const expectClean = async () => {
      const html = await page.content();
      expect(html, page.url()).not.toContain(value);
      expect(html, page.url()).not.toContain(platformApiToken());
      seen.push(new URL(page.url()).pathname);
    };

    // A refused form (a bad id) comes back without the secret typed into it.
    await site.visit(page, "/console/tenants/new");
    await page.getByLabel("Tenant id").fill("Not_An_Id");
    await page.getByLabel("Secrets (optional)").fill(`API_KEY=${value}`);
    await page.getByRole("button", { name: "Create the tenant" }).click();
    await page.getByRole("alert").first().waitFor();
    await expectClean();
    await expect(page.getByLabel("Secrets (optional)").inputValue()).resolves.toBe("");

    await page.getByLabel("Tenant id").fill(id);
    await page.getByLabel("Secrets (optional)").fill(`API_KEY=${value}`);
    await submitted(page, page.getByRole("button", { name: "Create the tenant" }), `/console/tenants/${id}`);
    await expectClean();
    const active = await eventually(async () => {
      const tenant = (await controlPlane.api("GET", `/v1/tenants/${id}`)).json;
      return tenant.state === "active" ? tenant : null;
    }, PROVISIONING_TIMEOUT_MS);
    expect(active.secrets).toEqual(["API_KEY"]);

    // Every page of the tenant its page links to, the list and the rollouts, once it is active.
    await site.visit(page, `/console/tenants/${id}`);
    const links = await page
      .locator("a[href]")
      .evaluateAll((anchors) => anchors.map((anchor) => anchor.getAttribute("href") ?? ""));
    const pages = new Set([
      ...links.filter((href) => href.startsWith(`/console/tenants/${id}`)).map((href) => href.split("#")[0] as string),
      `/console/tenants/${id}/edit`,
      `/console/tenants/${id}/delete`,
      `/console/tenants/${id}/traffic`,
      "/console/tenants",
      `/console/tenants?q=${id}`,
      "/console/rollouts",
    ]);
    for (const pathname of pages) {
      await site.visit(page, pathname);
      await expectClean();
    }
    // The secret's name is shown where its value would be.
    await site.visit(page, `/console/tenants/${id}`);
    await page.getByText("API_KEY").first().waitFor();

    // Setting it again from the edit page: the new value shows nowhere either.
    const next = `${value}-rotated`;
    await site.visit(page, `/console/tenants/${id}/edit`);
    await page.getByLabel("Name", { exact: true }).fill("API_KEY");
    await page.getByLabel("Value", { exact: true }).fill(next);
    await submitted(page, page.getByRole("button", { name: "Set the secret" }), `/console/tenants/${id}`);
    expect(await page.content()).not.toContain(next);
    await expectClean();
    expect(seen.length).toBeGreaterThanOrEqual(pages.size + 2);
    await page.context().close();
  }, 240_000);
});
