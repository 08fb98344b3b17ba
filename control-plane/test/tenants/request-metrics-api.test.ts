import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RequestCountsView } from "../../../platform/tenants-api";
import { expectError } from "./api-support";
import { hit, tenantWithCode, whenRouted } from "./counted-tenants";
import { eventually } from "./eventually";
import { api, clearFaults, ensureNamespace, faultNow, injectFault, uniqueId } from "./support";

beforeAll(ensureNamespace);
afterEach(clearFaults);

const counts = (query: string) => api("GET", `/v1/metrics/requests?${query}`);

describe("GET /v1/metrics/requests", () => {
  it("counts each tenant's requests and errors through the dispatcher, zeros for one without any", async () => {
    const since = new Date(Date.now() - 1_000).toISOString();
    const [busy, calm] = await Promise.all([tenantWithCode("mbusy"), tenantWithCode("mcalm")]);
    const idle = uniqueId("midle");
    await whenRouted(busy);
    await whenRouted(calm);
    for (const path of ["/", "/boom", "/boom"]) await hit(busy, path);
    const query = `tenants=${idle},${busy},${calm}&since=${encodeURIComponent(since)}`;
    const view = await eventually(async () => {
      const { status, json, text } = await counts(query);
      expect(status, text).toBe(200);
      const answer = json as unknown as RequestCountsView;
      return answer.tenants[1]?.requests === 4 ? answer : null;
    });
    // Every tenant asked for, in the order asked; the first 200 of each (whenRouted) is counted.
    expect(view.tenants).toEqual([
      { tenantId: idle, requests: 0, errors: 0 },
      { tenantId: busy, requests: 4, errors: 2 },
      { tenantId: calm, requests: 1, errors: 0 },
    ]);
    expect(view.since).toBe(since);
    expect(Date.parse(view.until)).toBeGreaterThan(Date.parse(since));
    // A window that ends before the requests counts none of them.
    const before = await counts(`tenants=${busy}&since=2020-01-01T00:00:00Z&until=2020-01-01T01:00:00Z`);
    expect(before.status, before.text).toBe(200);
    expect((before.json as unknown as RequestCountsView).tenants).toEqual([{ tenantId: busy, requests: 0, errors: 0 }]);
  }, 60_000);

  it("refuses what it cannot count, naming the field", async () => {
    const since = encodeURIComponent(new Date().toISOString());
    const tooMany = Array.from({ length: 101 }, (_, i) => `t-${i}x`).join(",");
    const cases: [string, string][] = [
      [`since=${since}`, "query.tenants"],
      [`tenants=&since=${since}`, "query.tenants"],
      [`tenants=Not_An_Id&since=${since}`, "query.tenants"],
      [`tenants=abc,abc&since=${since}`, "query.tenants"],
      [`tenants=${tooMany}&since=${since}`, "query.tenants"],
      ["tenants=abc", "since"],
      ["tenants=abc&since=yesterday", "since"],
      [
        `tenants=abc&since=${encodeURIComponent("2030-01-01T00:00:00Z")}&until=${encodeURIComponent("2029-01-01T00:00:00Z")}`,
        "since",
      ],
      // Before 1970: a time Analytics Engine has no seconds for, refused rather than failing the query.
      [`tenants=abc&since=${encodeURIComponent("1900-01-01T00:00:00Z")}`, "since"],
      [
        `tenants=abc&since=${encodeURIComponent("1969-12-31T23:59:59.500Z")}&until=${encodeURIComponent("1970-01-01T00:00:10Z")}`,
        "since",
      ],
    ];
    for (const [query, field] of cases) {
      expectError(await counts(query), 400, "invalid_request", field);
    }
  });

  it("is a 502 upstream_error when Analytics Engine does not answer, not a 500", async () => {
    const fault = await injectFault({
      method: "POST",
      path: "/accounts/*/analytics_engine/sql",
      times: 100,
      action: { kind: "fail", status: 503, code: 10000, message: "analytics is down" },
    });
    const answer = await counts(`tenants=abc&since=${encodeURIComponent(new Date(0).toISOString())}`);
    expect(expectError(answer, 502, "upstream_error").message).toMatch(/Analytics Engine/);
    expect((await faultNow(fault.id)).hits).toBeGreaterThan(0);
  });
});
