import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { hit, tenantWithCode, whenRouted } from "../tenants/counted-tenants";
import { eventually } from "../tenants/eventually";
import { api, clearFaults, ensureNamespace, injectFault, settled } from "../tenants/support";
import { pageHtml, signIn } from "./console-support";
import { linkTo, rowsOf, textOf } from "./table-rows";

beforeAll(ensureNamespace);
afterEach(clearFaults);

let cookie: string;
beforeAll(async () => {
  cookie = await signIn();
});

/** The page's HTML, with its status checked. */
const page = (path: string, status = 200) => pageHtml(path, cookie, status);

/** The tenants' rows of a list page: id, state, plan, hostnames, last operation, requests, errors. */
const tenantRows = (html: string) => rowsOf(html).map((row) => row.cells);
const idsOf = (html: string) => tenantRows(html).map((cells) => cells[0]);

/** Tenants with no resources and no script: quick to make, and enough for a list. */
async function makeTenants(ids: readonly string[], planOf: (id: string) => string) {
  await Promise.all(
    ids.map(async (id) => {
      const body = { id, plan: planOf(id), resources: { kv: false, r2: false, d1: false } };
      const created = await api("POST", "/v1/tenants", body);
      expect(created.status, created.text).toBe(202);
    }),
  );
  for (const id of ids) expect((await settled(id, ["active"])).state).toBe("active");
}

describe("console: the tenants list", () => {
  const prefix = `cl${crypto.randomUUID().slice(0, 6)}`;
  const ids = ["a", "b", "c", "d", "e"].map((suffix) => `${prefix}-${suffix}`);
  const planOf = (id: string) => (id.endsWith("b") || id.endsWith("d") ? "pro" : "free");

  beforeAll(() => makeTenants(ids, planOf), 60_000);

  it("shows each tenant with its state, plan, hostnames and last operation, linked to its page", async () => {
    const html = await page(`/console/tenants?q=${prefix}`);
    expect(html).toContain('href="/console/tenants/new"');
    const rows = tenantRows(html);
    expect(rows.map((cells) => cells[0])).toEqual(ids);
    for (const [id, state, plan, hostnames, operation] of rows) {
      expect(state).toBe("active");
      expect(plan).toBe(planOf(id as string));
      expect(hostnames).toBe(`${id}.localhost`);
      expect(operation).toMatch(/^provision succeeded \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/);
      expect(html).toContain(`href="/console/tenants/${id}"`);
    }
    // Nothing is changing: the list does not refresh itself.
    expect(html).toMatch(/<div id="tenants-list">/);
  });

  it("narrows the list by state, plan and the start of the id, the filters kept in the URL and the form", async () => {
    expect(idsOf(await page(`/console/tenants?q=${prefix}&plan=pro`))).toEqual([`${prefix}-b`, `${prefix}-d`]);
    expect(idsOf(await page(`/console/tenants?q=${prefix}-c`))).toEqual([`${prefix}-c`]);
    // The search box is forgiving of case; ids are lowercase.
    expect(idsOf(await page(`/console/tenants?q=${prefix.toUpperCase()}-E`))).toEqual([`${prefix}-e`]);
    const filtered = await page(`/console/tenants?q=${prefix}&state=active&plan=free`);
    expect(idsOf(filtered)).toEqual([`${prefix}-a`, `${prefix}-c`, `${prefix}-e`]);
    expect(filtered).toMatch(/<option value="free" selected="">free<\/option>/);
    expect(filtered).toMatch(/<option value="active" selected="">active<\/option>/);
    expect(filtered).toContain(`value="${prefix}"`);
    const none = await page(`/console/tenants?q=${prefix}&state=deleting`);
    expect(idsOf(none)).toEqual([]);
    expect(textOf(none)).toContain("No tenant matches these filters.");
  });

  it("walks every page with Next, each tenant exactly once, and goes back to the first page", async () => {
    const seen: string[] = [];
    let path: string | undefined = `/console/tenants?q=${prefix}&limit=2`;
    let pages = 0;
    while (path !== undefined) {
      const html = await page(path);
      const onPage = idsOf(html) as string[];
      expect(onPage.length).toBeLessThanOrEqual(2);
      seen.push(...onPage);
      if (pages > 0) expect(linkTo(html, "First page")).toBe(`/console/tenants?q=${prefix}&limit=2`);
      else expect(linkTo(html, "First page")).toBeUndefined();
      path = linkTo(html, "Next page");
      pages++;
    }
    expect(seen).toEqual(ids);
    expect(pages).toBe(3);
  });

  it("shows the API's refusal of a filter with its status, never a 500", async () => {
    const html = await page("/console/tenants?state=sleeping", 400);
    expect(textOf(html)).toMatch(/The API refused this list \(HTTP 400\): query\.state/);
    // The form is still there to fix it.
    expect(html).toContain('<select id="state" name="state">');
    await page("/console/tenants?cursor=not-a-cursor", 400);
  });
});

describe("console: the tenants list's traffic", () => {
  it("shows each tenant's requests and errors of the last hour once it has traffic, 0 without", async () => {
    const busy = await tenantWithCode("clbusy");
    await whenRouted(busy);
    for (const path of ["/", "/boom", "/boom"]) await hit(busy, path);
    // The request whenRouted saw answered is counted too: 4 requests, 2 errors.
    const row = await eventually(async () => {
      const [cells] = tenantRows(await page(`/console/tenants?q=${busy}`));
      return cells?.[5] === "4" ? cells : null;
    });
    expect(row.slice(5)).toEqual(["4", "2"]);
    const idle = await tenantWithCode("clidle");
    const [quiet] = tenantRows(await page(`/console/tenants?q=${idle}`));
    expect(quiet?.slice(5)).toEqual(["0", "0"]);
  }, 60_000);

  it("still lists the tenants, saying the counts are unavailable, when Analytics Engine fails", async () => {
    const id = await tenantWithCode("clnoae");
    await injectFault({
      method: "POST",
      path: "/accounts/*/analytics_engine/sql",
      times: 100,
      action: { kind: "fail", status: 503, code: 10000, message: "analytics is down" },
    });
    const html = await page(`/console/tenants?q=${id}`);
    expect(idsOf(html)).toEqual([id]);
    expect(tenantRows(html)[0]?.slice(5)).toEqual(["unavailable", "unavailable"]);
    expect(textOf(html)).toContain("Requests and errors are unavailable right now");
  }, 60_000);
});

describe("console: the tenants list while a tenant changes", () => {
  it("refreshes itself while a tenant on it is provisioning", async () => {
    const id = `clprov-${crypto.randomUUID().slice(0, 6)}`;
    // Its KV namespace cannot be created for now (the API does not answer): the tenant stays provisioning meanwhile.
    await injectFault({
      method: "POST",
      path: "/accounts/*/storage/kv/namespaces",
      times: 1000,
      action: { kind: "hang", ms: 60_000 },
    });
    const created = await api("POST", "/v1/tenants", {
      id,
      plan: "free",
      resources: { kv: true, r2: false, d1: false },
    });
    expect(created.status, created.text).toBe(202);
    const html = await page(`/console/tenants?q=${id}`);
    expect(tenantRows(html)[0]?.[1]).toBe("provisioning");
    expect(html).toMatch(/<div id="tenants-list" data-refresh-ms="\d+">/);
    await clearFaults();
    await settled(id, ["active", "failed"]);
  }, 90_000);
});
