import type { Locator, Page } from "playwright-core";
import { beforeAll, describe, expect, it } from "vitest";
import { browserForFile, screenshotsForFile } from "../support/browser.ts";
import { type ConsoleSite, consoleSite, submitted, untilShown } from "../support/console-browser.ts";
import { controlPlaneApi, eventually, unique } from "../support/control-plane-api.ts";
import { devPlatformForFile } from "../support/dev-platform.ts";
import { getWithHost } from "../support/host-request.ts";

// Issue 17's proof in a real Chromium, through `npm run dev`'s processes: an operator signs in,
// creates a tenant with the form, watches it become active, sends it traffic and sees the charts
// and the logs fill, deploys a second version and rolls it back, and deletes the tenant. The
// screenshots in the README are taken here (test/support/browser.ts: CONSOLE_SCREENSHOTS).

const dev = devPlatformForFile("console-journey");
const chromium = browserForFile();
const screenshot = screenshotsForFile();
let site: ConsoleSite;
beforeAll(() => {
  site = consoleSite(dev.url("control-plane", ""));
});

/** What a desktop and a phone show. */
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };

/** An end user's request to the tenant's own hostname, through the dispatcher. */
const visitTenant = (id: string, pathname: string) =>
  getWithHost(dev.ports.dispatcher as number, pathname, `${id}.localhost`);

/** The tenant's answer to GET / once it is `expected`, as the dispatcher serves it. */
const servedWithin = (id: string, expected: unknown) =>
  eventually(async () => {
    const { status, body } = await visitTenant(id, "/");
    return status === 200 && JSON.stringify(JSON.parse(body)) === JSON.stringify(expected) ? body : null;
  }, 60_000);

/** Whether `locator` holds `state` as a text of its own (a state's badge says it in words). */
const shows = (locator: Locator, state: string) => locator.getByText(state, { exact: true }).first().isVisible();

/** The tenant's next code: another answer, and the template's Durable Object class (ROOM's) still exported. */
const SECOND_VERSION = `import { DurableObject } from "cloudflare:workers";
export class Room extends DurableObject {}
export default {
  fetch: () => Response.json({ version: 2 }),
};
`;

describe("the operator console, as an operator uses it", () => {
  const id = unique("journey");
  const greeting = `Hello from ${id}`;

  it("signs in, creates a tenant, watches it, sees its traffic and logs, deploys and rolls back, deletes it", async () => {
    const page = await chromium.newPage({ viewport: DESKTOP });
    await site.signIn(page);

    // The list, with the demo tenant npm run dev onboards.
    expect(new URL(page.url()).pathname).toBe("/console/tenants");
    await page.getByRole("link", { name: "demo", exact: true }).waitFor();

    // A new tenant from the form: the template's code, a var it greets with.
    await page.getByRole("link", { name: "New tenant" }).click();
    await page.waitForURL((url) => url.pathname === "/console/tenants/new");
    await page.getByLabel("Tenant id").fill(id);
    await page.getByLabel("Plan").selectOption("pro");
    await page.getByLabel("Vars (optional)").fill(`GREETING=${greeting}`);
    await page.getByLabel(/^The template/).check();
    await screenshot(page, "new-tenant");
    await submitted(page, page.getByRole("button", { name: "Create the tenant" }), `/console/tenants/${id}`);
    await page.getByRole("status").filter({ hasText: "The tenant was created" }).waitFor();

    // Its page follows it until it is active, by itself.
    await untilShown(page, "the tenant active", () => shows(page.getByRole("region", { name: "Facts" }), "active"));
    expect(JSON.parse(await servedWithin(id, { greeting, tenant: id }))).toEqual({ greeting, tenant: id });

    // Traffic: answers, and a 404 whose path marks this test's log line.
    const marker = `/journey-${crypto.randomUUID()}`;
    for (let i = 0; i < 5; i++) expect((await visitTenant(id, "/")).status).toBe(200);
    expect((await visitTenant(id, marker)).status).toBe(404);
    const logs = page.getByRole("log", { name: `${id}'s logs` });
    await untilShown(
      page,
      "the request's log line",
      async () => (await logs.textContent())?.includes(marker) ?? false,
      {
        reloadEveryMs: 30_000,
      },
    );
    // The charts: at least the requests sent here (the 200s above, and those that waited for it), and the 404.
    const sent = 5 + 1;
    await untilShown(
      page,
      "the requests in the traffic charts",
      async () => {
        const charted = await trafficCharted(page);
        return charted !== null && charted.requests >= sent && charted.ok >= 5 && charted.clientErrors >= 1;
      },
      { reloadEveryMs: 5_000 },
    );
    await site.visit(page, `/console/tenants/${id}`); // without the notice of its creation
    await logs.getByText(marker).waitFor();
    await screenshot(page, "tenant");

    // A second version from the edit page's upload, then rolled back from the versions.
    await page.getByRole("link", { name: "Change" }).click();
    await page.waitForURL((url) => url.pathname === `/console/tenants/${id}/edit`);
    await page.getByLabel("Bundle").setInputFiles({
      name: "index.js",
      mimeType: "text/javascript",
      buffer: Buffer.from(SECOND_VERSION),
    });
    await page.getByLabel("Version message (optional)").fill("the second version");
    await submitted(page, page.getByRole("button", { name: "Upload and deploy" }), `/console/tenants/${id}`);
    await servedWithin(id, { version: 2 });
    const versions = page.getByRole("region", { name: "Versions" });
    await versions.getByRole("row").filter({ hasText: "the second version" }).getByText("100%").waitFor();
    await submitted(page, versions.getByRole("button", { name: "Roll back #2" }), `/console/tenants/${id}`);
    await servedWithin(id, { greeting, tenant: id });
    await page.getByRole("region", { name: "Versions" }).getByRole("row", { name: /^#1 / }).getByText("100%").waitFor();

    // Deleted, after typing its id; the list follows its deletion until it is done.
    await page.getByRole("link", { name: "Delete…" }).click();
    await page.waitForURL((url) => url.pathname === `/console/tenants/${id}/delete`);
    await page.getByLabel(`Type ${id} to confirm`).fill(id);
    await submitted(page, page.getByRole("button", { name: `Delete ${id}` }), "/console/tenants");
    await page.getByRole("status").filter({ hasText: "being deleted" }).waitFor();
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: id, exact: true }) });
    await untilShown(page, "the tenant deleted", () => shows(row, "deleted"));
    expect((await visitTenant(id, "/")).status).toBe(404);
    // Among the active tenants, it is gone.
    await page.getByLabel("State").selectOption("active");
    await page.getByRole("button", { name: "Show" }).click();
    await page.waitForURL((url) => url.searchParams.get("state") === "active");
    await page.getByRole("link", { name: "demo", exact: true }).waitFor();
    expect(await page.getByRole("link", { name: id, exact: true }).count()).toBe(0);
    await page.getByRole("link", { name: "Clear" }).click();
    await page.waitForURL((url) => url.pathname === "/console/tenants" && url.search === "");
    await page.context().close();
  }, 600_000);
});

describe("a staged rollout, from the console", () => {
  const ids = [unique("fleet-a"), unique("fleet-b")];
  const moduleAnswering = (text: string) => `export default { fetch: () => new Response(${JSON.stringify(text)}) };\n`;

  it("starts a rollout from an uploaded bundle, shows it paused after its canary, resumes it, rolls it back", async () => {
    const controlPlane = controlPlaneApi(dev.url("control-plane", "/"));
    for (const id of ids) {
      const script = { mainModule: "index.js", modules: { "index.js": moduleAnswering("v1") } };
      await controlPlane.onboard({ id, plan: "free", resources: { kv: false, r2: false, d1: false }, script });
    }
    const served = (expected: string) =>
      Promise.all(
        ids.map((id) => eventually(async () => ((await visitTenant(id, "/")).body === expected ? true : null), 60_000)),
      );

    const page = await chromium.newPage({ viewport: DESKTOP });
    await site.signIn(page);
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Rollouts" }).click();
    await page.waitForURL((url) => url.pathname === "/console/rollouts");
    await page.getByLabel("Bundle").setInputFiles({
      name: "index.js",
      mimeType: "text/javascript",
      buffer: Buffer.from(moduleAnswering("v2")),
    });
    await page.getByLabel("Only these tenants (optional)").fill(ids.join("\n"));
    await page.getByLabel("Canary", { exact: true }).fill("1");
    await submitted(page, page.getByRole("button", { name: "Start the rollout" }), /^\/console\/rollouts\/[^/]+$/);
    const rolloutId = decodeURIComponent(new URL(page.url()).pathname.split("/").at(-1) as string);
    const main = page.getByRole("main");

    // Its page follows the canary until it pauses.
    await untilShown(page, "the rollout paused", () => shows(main, "paused"));
    await page.getByText("1 of 2 done").first().waitFor();
    await screenshot(page, "rollout");
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Rollouts" }).click();
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: rolloutId.slice(0, 8) }) });
    await row.getByText("paused", { exact: true }).waitFor();
    await screenshot(page, "rollouts");

    await row.getByRole("link", { name: rolloutId.slice(0, 8) }).click();
    await submitted(page, page.getByRole("button", { name: "Resume" }), `/console/rollouts/${rolloutId}`);
    await untilShown(page, "the rollout completed", () => shows(main, "completed"));
    await page.getByText("2 of 2 done").first().waitFor();
    await served("v2");

    // Rolled back: every tenant it reached returns to the version it had.
    await submitted(page, page.getByRole("button", { name: "Roll back" }), `/console/rollouts/${rolloutId}`);
    await untilShown(page, "the rollout rolled back", () => shows(main, "rolled back"));
    await served("v1");

    // The tenants list as it is now, on a desktop and on a phone.
    await page.getByRole("navigation", { name: "Sections" }).getByRole("link", { name: "Tenants" }).click();
    await page.waitForURL((url) => url.pathname === "/console/tenants");
    await screenshot(page, "tenants");
    await page.setViewportSize(PHONE);
    await page.reload();
    await screenshot(page, "tenants-phone");
    // On a phone the page reflows: nothing but a table's own scroller is wider than the screen.
    for (const pathname of [
      "/console/tenants",
      `/console/tenants/${ids[0]}`,
      "/console/tenants/new",
      "/console/rollouts",
    ]) {
      await site.visit(page, pathname);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, pathname).toBeLessThanOrEqual(0);
    }
    await page.context().close();
  }, 300_000);
});

/**
 * What the tenant page's traffic charts say they show (each chart's description, which screen
 * readers read): requests in all, and responses by status class; null while they show none.
 */
async function trafficCharted(page: Page): Promise<{ requests: number; ok: number; clientErrors: number } | null> {
  const traffic = page.getByRole("region", { name: "Traffic" });
  const described = async (chart: RegExp) =>
    (await traffic.getByRole("img", { name: chart }).locator("desc").textContent()) ?? "";
  const requests = await described(/^Requests per/);
  const statuses = await described(/^Responses by status class/);
  const count = (text: string, pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
  const charted = {
    requests: count(requests, /(\d+) requests and \d+ errors in all/),
    ok: count(statuses, /(\d+) 2xx/),
    clientErrors: count(statuses, /(\d+) 4xx/),
  };
  return Object.values(charted).some(Number.isNaN) ? null : charted;
}
