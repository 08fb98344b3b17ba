import { beforeAll, describe, expect, it } from "vitest";
import type { TenantList } from "../../../platform/tenants-api";
import { expectError } from "./api-support";
import { api, ensureNamespace, settled } from "./support";

beforeAll(ensureNamespace);

/** Tenants with no resources and no script: quick to make, and enough for listings. */
async function makeTenants(ids: readonly string[], plan: (id: string) => "free" | "pro" = () => "free") {
  await Promise.all(
    ids.map(async (id) => {
      const created = await api("POST", "/v1/tenants", {
        id,
        plan: plan(id),
        resources: { kv: false, r2: false, d1: false },
      });
      expect(created.status, created.text).toBe(202);
    }),
  );
  for (const id of ids) expect((await settled(id, ["active", "failed"])).state).toBe("active");
}

async function list(query: string): Promise<TenantList> {
  const { status, json, text } = await api("GET", `/v1/tenants?${query}`);
  expect(status, text).toBe(200);
  return json as unknown as TenantList;
}

/** Every page of a listing, following its cursor. */
async function walk(query: string): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  do {
    const page: TenantList = await list(cursor === null ? query : `${query}&cursor=${encodeURIComponent(cursor)}`);
    seen.push(...page.tenants.map((tenant) => tenant.id));
    cursor = page.cursor;
  } while (cursor !== null);
  return seen;
}

describe("GET /v1/tenants?q= (the start of an id)", () => {
  const prefix = `qs${crypto.randomUUID().slice(0, 6)}`;
  const ids = ["a1", "a2", "b1", "b2", "b3"].map((suffix) => `${prefix}-${suffix}`);

  beforeAll(() => makeTenants(ids, (id) => (id.endsWith("2") ? "pro" : "free")), 60_000);

  it("lists only the tenants whose id starts with q, in id order, every page exactly once", async () => {
    expect(await walk(`q=${prefix}&limit=2`)).toEqual(ids);
    expect(await walk(`q=${prefix}-b&limit=1`)).toEqual(ids.slice(2));
    // A prefix of the whole id matches it; one longer than any id matches nothing.
    expect(await walk(`q=${prefix}-a1`)).toEqual([`${prefix}-a1`]);
    expect(await walk(`q=${prefix}-a1x`)).toEqual([]);
  });

  it("combines with the state and plan filters", async () => {
    expect(await walk(`q=${prefix}&plan=pro&limit=1`)).toEqual([`${prefix}-a2`, `${prefix}-b2`]);
    expect(await walk(`q=${prefix}&state=active&plan=free`)).toEqual([`${prefix}-a1`, `${prefix}-b1`, `${prefix}-b3`]);
    expect(await walk(`q=${prefix}&state=deleting`)).toEqual([]);
  });

  it("refuses a q that no tenant id can start with, naming it", async () => {
    for (const q of ["UPPER", "a%25", "a_b", "x".repeat(33), ""]) {
      expectError(await api("GET", `/v1/tenants?q=${q}`), 400, "invalid_request", "q");
    }
  });
});
