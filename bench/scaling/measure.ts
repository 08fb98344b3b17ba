/** What each step measures of the control plane's reads and the dispatcher's routing table, at the platform's size then. */
import { getThroughDispatcher } from "../onboarding/client.ts";
import type { Clients } from "./clients.ts";
import { tenantId } from "./grow.ts";
import { type Spread, spreadOf, timed } from "./timing.ts";

/** Requests of each kind per step, one at a time: latency, not throughput. */
export const SAMPLES = 50;
/** List pages of each kind per step. */
export const PAGE_SAMPLES = 20;
const PLATFORM_DOMAIN = "localhost";

export type Reads = {
  /** GET /v1/tenants/{id}, random tenants. */
  lookup: Spread;
  /** GET /v1/tenants?limit=100. */
  firstPage: Spread;
  /** GET /v1/tenants?limit=100&cursor=…: the last page, after every other tenant. */
  deepPage: Spread;
  /** Every page, one after the other: how long a client takes to read the whole registry. */
  walk: { pages: number; ms: number };
};

/** Walks every page (checking the count), then times the first and the last page and random lookups. */
export async function measureReads(clients: Clients, tenants: number, random: () => number): Promise<Reads> {
  const { controlPlane } = clients;
  let pages = 0;
  let seen = 0;
  let cursor: string | null = null;
  let lastCursor: string | null = null;
  const walk = await timed(async () => {
    do {
      lastCursor = cursor;
      const page = await controlPlane.page(cursor);
      pages += 1;
      seen += page.tenants.length;
      cursor = page.cursor;
    } while (cursor !== null);
  });
  if (seen !== tenants) throw new Error(`GET /v1/tenants listed ${seen} tenants, not ${tenants}`);
  const firstPage: number[] = [];
  const deepPage: number[] = [];
  for (let i = 0; i < PAGE_SAMPLES; i++) {
    firstPage.push((await timed(() => controlPlane.page(null))).ms);
    deepPage.push((await timed(() => controlPlane.page(lastCursor))).ms);
  }
  const lookup: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const id = tenantId(Math.floor(random() * tenants));
    const { ms, value } = await timed(() => controlPlane.get(id));
    if (value.id !== id || value.state !== "active") throw new Error(`GET /v1/tenants/${id}: ${value.state}`);
    lookup.push(ms);
  }
  return {
    lookup: spreadOf(lookup),
    firstPage: spreadOf(firstPage),
    deepPage: spreadOf(deepPage),
    walk: { pages, ms: walk.ms },
  };
}

export type Routing = {
  /** A hostname with no route: the dispatcher's read of the table finds nothing, and it answers 404 itself. */
  unknown: Spread;
  /** A tenant's hostname the dispatcher has not cached: the table read, then the namespace. */
  cold: Spread;
  /** The same hostname at once again: the route from the dispatcher's cache, then the namespace. */
  warm: Spread;
};

/** What a tenant's hostname must answer: its Worker's answer, or the dispatcher's 404 for a tenant with none yet. */
export type Expected = { status: number; body: (id: string) => string };
export const NOT_DEPLOYED: Expected = { status: 404, body: () => '"code":"tenant_not_deployed"' };
const NOT_FOUND: Expected = { status: 404, body: () => '"code":"tenant_not_found"' };

async function through(clients: Clients, hostname: string, id: string, expected: Expected): Promise<number> {
  const { ms, value } = await timed(() => getThroughDispatcher(clients.stack.urls.dispatcher, hostname));
  if (value.status !== expected.status || !value.body.includes(expected.body(id))) {
    throw new Error(`${hostname} through the dispatcher: HTTP ${value.status} ${value.body.slice(0, 200)}`);
  }
  return ms;
}

/**
 * Requests through the dispatcher, one at a time: the hostnames of `ids`,
 * tenants not asked for before (so the dispatcher's route cache cannot hold
 * them), each at once a second time (now it does), and hostnames no tenant has.
 */
export async function measureRouting(
  clients: Clients,
  ids: readonly string[],
  expected: Expected,
  label: string,
): Promise<Routing> {
  const unknown: number[] = [];
  const cold: number[] = [];
  const warm: number[] = [];
  for (const [n, id] of ids.entries()) {
    const hostname = `${id}.${PLATFORM_DOMAIN}`;
    cold.push(await through(clients, hostname, id, expected));
    warm.push(await through(clients, hostname, id, expected));
    const nobody = `absent-${label}-${n}`;
    unknown.push(await through(clients, `${nobody}.${PLATFORM_DOMAIN}`, nobody, NOT_FOUND));
  }
  return { unknown: spreadOf(unknown), cold: spreadOf(cold), warm: spreadOf(warm) };
}
