import { TenantState } from "../../../../platform/tenants-api";

/**
 * The tenants list's URL: its filters, search, page size and cursor. Whatever the browser sent is
 * passed on to /v1 as it is (blank fields dropped, the search lowercased: ids are), so /v1's rules
 * decide what is valid, and a refusal is shown with its message.
 */
export type TenantsQuery = { state: string; plan: string; q: string; limit: string; cursor: string };

/** Rows a page shows unless the URL says otherwise (/v1 allows 1 to 100). */
export const DEFAULT_PAGE_SIZE = "50";
export const PAGE_SIZES = ["20", "50", "100"] as const;

export function tenantsQueryOf(read: (name: string) => string | undefined): TenantsQuery {
  const text = (name: string) => (read(name) ?? "").trim();
  return {
    state: text("state"),
    plan: text("plan"),
    q: text("q").toLowerCase(),
    limit: text("limit") || DEFAULT_PAGE_SIZE,
    cursor: text("cursor"),
  };
}

/** The query string of a list URL, its blank parts left out. */
function searchOf(fields: Record<string, string>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) if (value !== "") search.set(name, value);
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}

/** The /v1 call for a page. */
export function apiPathOf(query: TenantsQuery): string {
  return `/v1/tenants${searchOf(query)}`;
}

/** The console URL of the same list at another cursor ("" for its first page), the page size kept unless it is the default. */
export function pagePathOf(base: string, query: TenantsQuery, cursor: string): string {
  const { state, plan, q } = query;
  const limit = query.limit === DEFAULT_PAGE_SIZE ? "" : query.limit;
  return `${base}${searchOf({ state, plan, q, limit, cursor })}`;
}

/** States whose tenants are changing by themselves: the list refreshes while one is shown. */
export const MOVING_STATES: ReadonlySet<TenantState> = new Set(["provisioning", "deleting"]);
export const TENANT_STATES = TenantState.options;
