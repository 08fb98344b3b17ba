import { Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { PlanName } from "../../../../platform/plans";
import { RequestCountsView, TenantList } from "../../../../platform/tenants-api";
import type { ApiError, ConsoleApi } from "../api";
import { consolePath } from "../layout";
import type { ConsoleEnv } from "../types";
import {
  apiPathOf,
  MOVING_STATES,
  PAGE_SIZES,
  pagePathOf,
  TENANT_STATES,
  type TenantsQuery,
  tenantsQueryOf,
} from "./tenants-query";
import { TenantsTable, type Traffic } from "./tenants-table";

/** How often the list reads itself again while a tenant on it is provisioning or being deleted. */
const REFRESH_MS = 3000;
/** The window of the requests and errors column. */
const TRAFFIC_WINDOW_MS = 60 * 60 * 1000;

/** The page's tenants' last hour: one /v1 call (one query) for the page; its failure is said, not thrown. */
async function lastHourOf(api: ConsoleApi, ids: readonly string[]): Promise<Traffic> {
  if (ids.length === 0) return { ok: true, counts: new Map() };
  const since = new Date(Date.now() - TRAFFIC_WINDOW_MS).toISOString();
  const path = `/v1/metrics/requests?tenants=${ids.map(encodeURIComponent).join(",")}&since=${encodeURIComponent(since)}`;
  const answer = await api.get(path, RequestCountsView);
  if (!answer.ok) return { ok: false, reason: `${answer.error.message} (HTTP ${answer.error.status})` };
  return { ok: true, counts: new Map(answer.value.tenants.map(({ tenantId, ...count }) => [tenantId, count])) };
}

function Filters({ query }: { query: TenantsQuery }) {
  return (
    <form method="get" action={consolePath.tenants} class="filters" aria-label="Filter tenants">
      <div>
        <label for="q">Id starts with</label>
        <input id="q" name="q" type="search" value={query.q} autocomplete="off" spellcheck={false} maxlength={32} />
      </div>
      <div>
        <label for="state">State</label>
        <select id="state" name="state">
          <option value="">any</option>
          {TENANT_STATES.map((state) => (
            <option value={state} selected={state === query.state}>
              {state}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="plan">Plan</label>
        <select id="plan" name="plan">
          <option value="">any</option>
          {PlanName.options.map((plan) => (
            <option value={plan} selected={plan === query.plan}>
              {plan}
            </option>
          ))}
        </select>
      </div>
      <div>
        <label for="limit">Per page</label>
        <select id="limit" name="limit">
          {PAGE_SIZES.map((size) => (
            <option value={size} selected={size === query.limit}>
              {size}
            </option>
          ))}
        </select>
      </div>
      <div>
        <button type="submit">Show</button> <a href={consolePath.tenants}>Clear</a>
      </div>
    </form>
  );
}

/** "Next" from the answer's cursor, and back to the first page from any other: no page counts the rows. */
function Pager({ query, next }: { query: TenantsQuery; next: string | null }) {
  if (next === null && query.cursor === "") return null;
  return (
    <nav class="pager" aria-label="Pages">
      {query.cursor !== "" && <a href={pagePathOf(consolePath.tenants, query, "")}>First page</a>}
      {next !== null && (
        <a href={pagePathOf(consolePath.tenants, query, next)} rel="next">
          Next page
        </a>
      )}
    </nav>
  );
}

function ListPage({ query, list, traffic }: { query: TenantsQuery; list: TenantList; traffic: Traffic }) {
  const moving = list.tenants.some(
    (tenant) =>
      MOVING_STATES.has(tenant.state) ||
      (tenant.operation !== null && ["queued", "running"].includes(tenant.operation.state)),
  );
  const filtered = query.q !== "" || query.state !== "" || query.plan !== "";
  return (
    <>
      <p>
        <a class="button" href={consolePath.newTenant}>
          New tenant
        </a>
      </p>
      <Filters query={query} />
      <div id="tenants-list" data-refresh-ms={moving ? String(REFRESH_MS) : undefined}>
        {!traffic.ok && (
          <p class="notice error" role="status">
            Requests and errors are unavailable right now: {traffic.reason}. The tenants are listed all the same.
          </p>
        )}
        {list.tenants.length === 0 ? (
          <p>{filtered ? "No tenant matches these filters." : "There are no tenants yet."}</p>
        ) : (
          <TenantsTable tenants={list.tenants} traffic={traffic} />
        )}
        <Pager query={query} next={list.cursor} />
      </div>
    </>
  );
}

function RefusedPage({ query, error }: { query: TenantsQuery; error: ApiError }) {
  return (
    <>
      <p class="notice error" role="alert">
        The API refused this list (HTTP {error.status}): {error.message}
      </p>
      <Filters query={query} />
    </>
  );
}

/** `/console/tenants`: every tenant, a page at a time, through GET /v1/tenants and GET /v1/metrics/requests. */
export const tenantsList = new Hono<ConsoleEnv>().get("/tenants", async (c) => {
  const query = tenantsQueryOf((name) => c.req.query(name));
  const api = c.get("api");
  const list = await api.get(apiPathOf(query), TenantList);
  if (!list.ok) {
    c.status(list.error.status as ContentfulStatusCode);
    return c.render(<RefusedPage query={query} error={list.error} />, { title: "Tenants" });
  }
  const traffic = await lastHourOf(
    api,
    list.value.tenants.map((tenant) => tenant.id),
  );
  return c.render(<ListPage query={query} list={list.value} traffic={traffic} />, { title: "Tenants" });
});
