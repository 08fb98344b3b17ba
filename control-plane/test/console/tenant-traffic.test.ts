import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { STATUS_CLASSES } from "../../../platform/tenant-traffic";
import { consolePath } from "../../src/console/layout";
import { clearFaults, injectFault, uniqueId } from "../tenants/support";
import { EXPECTED, sendKnownTraffic, trafficTenant } from "../tenants/traffic-pattern";
import { browse, signIn } from "./console-support";

// The tenant's traffic charts (pages/tenant-traffic.tsx), read as a browser gets them: requests sent
// through the dispatcher, metered into the emulator's Analytics Engine, drawn from /v1's buckets.

/** One chart's figure (its SVG and its table) out of the page. */
function figure(html: string, id: string): string {
  const start = html.indexOf(`<figure class="chart" id="${id}"`);
  expect(start, id).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf("</figure>", start));
}

/** The data table's rows: each bucket's cells, in the series' order. */
function tableRows(chart: string): string[][] {
  return [...chart.matchAll(/<tr><th scope="row">[^<]*<\/th>((?:<td>[^<]*<\/td>)+)<\/tr>/g)].map((row) =>
    [...(row[1] ?? "").matchAll(/<td>([^<]*)<\/td>/g)].map((cell) => cell[1] ?? ""),
  );
}

/** The column of a series, as numbers (a missing value is null). */
const column = (rows: string[][], index: number) =>
  rows.map((row) => (row[index] === "–" ? null : Number.parseFloat(row[index] ?? "")));
const total = (values: (number | null)[]) => values.reduce<number>((sum, v) => sum + (v ?? 0), 0);

/** The points a line series draws: those of its path, and its lone dots. */
function drawnPoints(chart: string, series: string): number {
  const start = chart.indexOf(`<g data-series="${series}">`);
  expect(start, series).toBeGreaterThanOrEqual(0);
  const group = chart.slice(start, chart.indexOf("</g>", start));
  const d = /<path class="line" d="([^"]*)"/.exec(group)?.[1] ?? "";
  return (d.match(/[ML]/g) ?? []).length + (group.match(/<circle class="dot"/g) ?? []).length;
}

let cookie: string;
beforeAll(async () => {
  cookie = await signIn();
});
afterEach(clearFaults);

describe("a tenant's traffic charts", () => {
  it("draws the tenant's requests, status classes and latency over the last hour", async () => {
    const id = await trafficTenant("charts");
    await sendKnownTraffic(id);
    const response = await browse(consolePath.tenantTraffic(id), { cookie });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html.match(/<svg [^>]*role="img"/g)).toHaveLength(3);
    expect(html).not.toMatch(/\sstyle=/);
    expect(html).toContain('<strong aria-current="true">Last hour</strong>');

    // Requests: a point per minute of the hour (and the minute it is in), every request in the table.
    const requests = figure(html, "traffic-requests");
    const rows = tableRows(requests);
    expect(rows.length).toBeGreaterThanOrEqual(60);
    expect(rows.length).toBeLessThanOrEqual(61);
    expect(drawnPoints(requests, "requests")).toBe(rows.length);
    expect(total(column(rows, 0))).toBe(EXPECTED.requests);
    expect(total(column(rows, 1))).toBe(EXPECTED.errors);
    expect(requests).toContain(`${EXPECTED.requests} requests and ${EXPECTED.errors} errors in all`);

    // Status classes: a bar for each class of each minute that had some, the classes' totals in the table.
    const statuses = figure(html, "traffic-statuses");
    const statusRows = tableRows(statuses);
    const nonZero = statusRows.flat().filter((cell) => cell !== "0").length;
    expect(statuses.match(/<rect class="bar"/g)?.length ?? 0).toBe(nonZero);
    STATUS_CLASSES.forEach((statusClass, i) => {
      expect(total(column(statusRows, i)), statusClass).toBe(EXPECTED.statuses[statusClass]);
      const bars = statuses.match(new RegExp(`<rect class="bar" data-series="${statusClass}"`, "g"))?.length ?? 0;
      expect(bars, statusClass).toBe(column(statusRows, i).filter((v) => v !== 0).length);
    });

    // Latency: drawn only where there were requests (one minute, or two if a minute turned meanwhile).
    const latency = figure(html, "traffic-latency");
    const latencyRows = tableRows(latency);
    const busy = column(rows, 0).filter((v) => v !== 0).length;
    expect(column(latencyRows, 1).filter((v) => v !== null)).toHaveLength(busy);
    expect(drawnPoints(latency, "p95")).toBe(busy);
    expect(drawnPoints(latency, "p50")).toBe(busy);
  });

  it("shows the last day in 15-minute buckets when the page asks for it", async () => {
    const id = await trafficTenant("day");
    await sendKnownTraffic(id);
    const html = await (await browse(`${consolePath.tenantTraffic(id)}?traffic=day`, { cookie })).text();
    expect(html).toContain('<strong aria-current="true">Last day</strong>');
    expect(html).toContain(`href="${consolePath.tenantTraffic(id)}?traffic=hour#traffic"`);
    const rows = tableRows(figure(html, "traffic-requests"));
    expect(rows.length).toBeGreaterThanOrEqual(96);
    expect(rows.length).toBeLessThanOrEqual(97);
    expect(total(column(rows, 0))).toBe(EXPECTED.requests);
  });

  it("says so, in a page that works, when Analytics Engine fails or the tenant is not there", async () => {
    const id = await trafficTenant("nometrics");
    await injectFault({
      method: "POST",
      path: "/accounts/*/analytics_engine/sql",
      times: 100,
      action: { kind: "fail", status: 422, code: 0, message: "the query failed" },
    });
    const failed = await browse(consolePath.tenantTraffic(id), { cookie });
    expect(failed.status).toBe(200);
    const html = await failed.text();
    expect(html).toContain("Traffic is unavailable right now");
    expect(html).not.toContain("<svg");

    const nobody = await browse(consolePath.tenantTraffic(uniqueId("nobody")), { cookie });
    expect(nobody.status).toBe(200);
    expect(await nobody.text()).toContain("No traffic to show");
  });

  it("is for signed-in operators only", async () => {
    const response = await browse(consolePath.tenantTraffic("demo"));
    expect(response.status).toBe(303);
    expect(response.headers.get("location")).toMatch(/^\/console\/sign-in\?next=/);
  });
});
