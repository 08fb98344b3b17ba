import { type D1Migration, runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import { RouteRecord, routeKey } from "../../../platform/routes";
import type { CreateTenantRequest, ScriptSource, TenantState, TenantView } from "../../../platform/tenants-api";
import type { Env } from "../../src/env";

/** The control plane's bindings (wrangler.local.toml) and what vitest.api.config.ts adds. */
export interface TestEnv extends Env {
  /** The emulator, for its REST API and its /__emulator controls. */
  EMULATOR: Fetcher;
  /** The dispatcher, to send requests to tenants as end users do. */
  DISPATCHER_HTTP: Fetcher;
  /** The tail Worker's stand-in (test/tail-stand-in.ts), to file events and faults for a tenant. */
  TAIL: Fetcher;
  EMULATOR_TOKEN: string;
  REGISTRY_MIGRATIONS: D1Migration[];
  /** An empty database no migration is applied to: a test migrates it itself. */
  REGISTRY_PROBE: D1Database;
}

export const testEnv = env as unknown as TestEnv;
const controlPlane = (exports as unknown as { default: Fetcher }).default;

export const TOKEN = testEnv.PLATFORM_API_TOKEN;

/** A tenant id no other test uses. */
export const uniqueId = (prefix = "t") => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

/** Calls the control plane's API as an operator does. */
export async function api(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const init: RequestInit = {
    method,
    headers: {
      authorization: `Bearer ${TOKEN}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: typeof body === "string" ? body : JSON.stringify(body) }),
  };
  const response = await controlPlane.fetch(`http://control-plane${path}`, init);
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {}
  return {
    status: response.status,
    json: json as Record<string, unknown> & TenantView,
    text,
    headers: response.headers,
  };
}

/** Polls a tenant until it reaches one of `states` and has no operation left to run. */
export async function settled(id: string, states: TenantState[], timeoutMs = 45_000): Promise<TenantView> {
  const deadline = Date.now() + timeoutMs;
  let last: TenantView | undefined;
  while (Date.now() < deadline) {
    const { status, json } = await api("GET", `/v1/tenants/${id}`);
    expect(status).toBe(200);
    last = json;
    const busy = json.operation !== null && ["queued", "running"].includes(json.operation.state);
    if (states.includes(json.state) && !busy) return json;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`tenant ${id} did not reach ${states.join("/")}: last seen ${JSON.stringify(last)}`);
}

export async function emulator(method: string, path: string, body?: unknown) {
  const response = await testEnv.EMULATOR.fetch(`http://emulator${path}`, {
    method,
    headers: { authorization: `Bearer ${testEnv.EMULATOR_TOKEN}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return {
    status: response.status,
    json: (await response.json()) as {
      result: unknown;
      success: boolean;
      result_info?: { total_pages?: number; cursor?: string };
    },
  };
}

const account = () => `/client/v4/accounts/${testEnv.CLOUDFLARE_ACCOUNT_ID}`;

let namespaceReady: Promise<void> | undefined;
/** The dispatch namespace the control plane uploads to (npm run dev creates it; here the tests do). */
export function ensureNamespace(): Promise<void> {
  namespaceReady ??= (async () => {
    const { status } = await emulator("POST", `${account()}/workers/dispatch/namespaces`, {
      name: testEnv.DISPATCH_NAMESPACE,
    });
    if (status !== 200 && status !== 409) throw new Error(`creating the namespace: HTTP ${status}`);
  })();
  return namespaceReady;
}

export type FaultRule = {
  method?: string;
  path: string;
  times?: number;
  action:
    | { kind: "fail"; status: number; code: number; message?: string; retryAfter?: number }
    | { kind: "hang"; ms?: number }
    | { kind: "delay"; ms: number }
    /** The call runs and its effect is kept; its answer is lost (`status`, default 504, after `ms`). */
    | { kind: "lose"; ms?: number; status?: number };
};

/** A rule as the emulator reports it: how often it was hit, and when (epoch ms, the emulator's clock). */
export type InstalledFault = FaultRule & { id: string; hits: number; remaining: number; hitsAt: number[] };

export async function injectFault(rule: FaultRule): Promise<InstalledFault> {
  const { status, json } = await emulator("POST", "/__emulator/faults", rule);
  expect(status).toBe(200);
  return json.result as InstalledFault;
}

/** The rule `id` as the emulator now sees it. */
export async function faultNow(id: string): Promise<InstalledFault> {
  const rules = (await emulator("GET", "/__emulator/faults")).json.result as InstalledFault[];
  const rule = rules.find((candidate) => candidate.id === id);
  if (rule === undefined) throw new Error(`fault ${id} is not installed`);
  return rule;
}

export async function clearFaults(): Promise<void> {
  await emulator("DELETE", "/__emulator/faults");
}

/** Every item of a page-numbered listing (KV namespaces, D1 databases), all pages. */
async function allPages<T>(path: string): Promise<T[]> {
  const items: T[] = [];
  for (let page = 1; ; page++) {
    const { status, json } = await emulator("GET", `${path}${path.includes("?") ? "&" : "?"}page=${page}&per_page=100`);
    expect(status, `listing ${path}`).toBe(200);
    items.push(...(json.result as T[]));
    if (page >= (json.result_info?.total_pages ?? 1)) return items;
  }
}

/** Every R2 bucket of the account, following the listing's cursor. */
async function allBuckets(): Promise<{ name: string }[]> {
  const buckets: { name: string }[] = [];
  let cursor: string | undefined;
  do {
    const query = cursor === undefined ? "" : `&cursor=${encodeURIComponent(cursor)}`;
    const { status, json } = await emulator("GET", `${account()}/r2/buckets?per_page=100${query}`);
    expect(status).toBe(200);
    buckets.push(...(json.result as { buckets: { name: string }[] }).buckets);
    cursor = json.result_info?.cursor;
  } while (cursor !== undefined);
  return buckets;
}

/** Every custom hostname on the platform's zone, all pages (the API gives at most 50 a page). */
async function allCustomHostnames(): Promise<
  { id: string; hostname: string; custom_metadata?: Record<string, string> }[]
> {
  const path = `/client/v4/zones/${testEnv.CLOUDFLARE_ZONE_ID}/custom_hostnames`;
  const items: { id: string; hostname: string; custom_metadata?: Record<string, string> }[] = [];
  for (let page = 1; ; page++) {
    const { status, json } = await emulator("GET", `${path}?page=${page}&per_page=50`);
    expect(status, "listing the zone's custom hostnames").toBe(200);
    items.push(...(json.result as typeof items));
    if (page >= (json.result_info?.total_pages ?? 1)) return items;
  }
}

/**
 * Everything in the emulator's account that is the tenant's: named after its
 * id, or recorded for it in the registry (`recorded`), over every page of
 * every listing, so an orphan on a later page or under another name is seen;
 * and the custom hostnames on the platform's zone made for it (its id in
 * their metadata, as the control plane makes every one), by hostname.
 */
export async function emulatorResourcesOf(
  id: string,
  recorded: { kv?: string | null; r2?: string | null; d1?: string | null } = {},
) {
  const [kv, r2, d1, customHostnames] = await Promise.all([
    allPages<{ title: string; id: string }>(`${account()}/storage/kv/namespaces`),
    allBuckets(),
    allPages<{ name: string; uuid: string }>(`${account()}/d1/database`),
    allCustomHostnames(),
  ]);
  const script = await emulator(
    "GET",
    `${account()}/workers/dispatch/namespaces/${testEnv.DISPATCH_NAMESPACE}/scripts/${id}`,
  );
  return {
    kv: kv.filter((ns) => ns.title === `t-${id}-kv` || ns.id === recorded.kv).map((ns) => ns.id),
    r2: r2.filter((bucket) => bucket.name === `t-${id}-r2` || bucket.name === recorded.r2).map((bucket) => bucket.name),
    d1: d1.filter((db) => db.name === `t-${id}-d1` || db.uuid === recorded.d1).map((db) => db.uuid),
    script: script.status === 200,
    customHostnames: customHostnames
      .filter((made) => made.custom_metadata?.tenant_id === id)
      .map(({ id, hostname }) => ({ id, hostname }))
      .sort((a, b) => a.hostname.localeCompare(b.hostname)),
  };
}

/** The cron triggers the emulator holds for the tenant's script (`GET …/schedules`), in its order. */
export async function emulatorCronsOf(id: string): Promise<string[]> {
  const { status, json } = await emulator(
    "GET",
    `${account()}/workers/dispatch/namespaces/${testEnv.DISPATCH_NAMESPACE}/scripts/${id}/schedules`,
  );
  expect(status, JSON.stringify(json)).toBe(200);
  return (json.result as { schedules: { cron: string }[] }).schedules.map((schedule) => schedule.cron);
}

/** The custom hostnames the registry records for the tenant (its claims' ids), by hostname. */
async function recordedCustomHostnames(id: string): Promise<{ id: string; hostname: string }[]> {
  const { results } = await testEnv.DB.prepare(
    "SELECT custom_hostname_id AS id, hostname FROM hostnames WHERE tenant_id = ? AND custom_hostname_id IS NOT NULL",
  )
    .bind(id)
    .all<{ id: string; hostname: string }>();
  return results.sort((a, b) => a.hostname.localeCompare(b.hostname));
}

/** The routing table's record for a hostname, read from the dispatcher's table (locally its RoutesTable entrypoint). */
export async function routeOf(hostname: string): Promise<RouteRecord | null> {
  const table = testEnv.ROUTES as unknown as { get(key: string, type: "json"): Promise<unknown> };
  const value = await table.get(routeKey(hostname), "json");
  return value === null ? null : RouteRecord.parse(value);
}

/** What the tenant's Durable Object keeps in its storage, key by key. */
export function tenantObjectStorage(id: string): Promise<Map<string, unknown>> {
  const stub = testEnv.TENANT_OPERATIONS.get(testEnv.TENANT_OPERATIONS.idFromName(id));
  return runInDurableObject(stub, async (_instance, state) => state.storage.list());
}

/**
 * The platform holds exactly what the registry says the tenant has, nothing
 * orphaned and nothing missing: its KV, R2 and D1 (over every page, by derived
 * name and by recorded id, so none twice), its custom hostnames on the
 * platform's zone (the ids recorded), its script and what the script is
 * bound to, a route naming it under each of its hostnames and under none of
 * the others it had (`hadHostnames`), its script bundle in SCRIPTS, and no
 * secret value left waiting in its Durable Object once it has settled (for a
 * tenant deleted or rolled back, nothing of its secrets at all).
 */
export async function expectResourcesMatchRegistry(
  tenant: TenantView,
  options: { hadHostnames?: readonly string[]; secretValues?: readonly string[] } = {},
): Promise<void> {
  const recorded = {
    kv: tenant.resources.kv?.id ?? null,
    r2: tenant.resources.r2?.name ?? null,
    d1: tenant.resources.d1?.id ?? null,
  };
  const actual = await emulatorResourcesOf(tenant.id, recorded);
  const live = tenant.script?.etag != null;
  const gone = tenant.state === "deleted" || tenant.state === "failed";
  const customHostnames = await recordedCustomHostnames(tenant.id);
  expect(actual, `resources of ${tenant.id}`).toEqual({
    kv: recorded.kv === null ? [] : [recorded.kv],
    r2: recorded.r2 === null ? [] : [recorded.r2],
    d1: recorded.d1 === null ? [] : [recorded.d1],
    script: live,
    // Each one the registry records, under the id it records; none once the tenant is gone.
    customHostnames: gone ? [] : customHostnames,
  });
  if (gone) expect(customHostnames, "custom hostnames a gone tenant still records").toEqual([]);

  if (live) {
    // The live script is bound to the resources the registry records, not to others of the same name.
    const { json } = await emulator(
      "GET",
      `${account()}/workers/dispatch/namespaces/${testEnv.DISPATCH_NAMESPACE}/scripts/${tenant.id}/bindings`,
    );
    const bindings = json.result as {
      type: string;
      name: string;
      namespace_id?: string;
      bucket_name?: string;
      database_id?: string;
    }[];
    const bound = (type: string) => bindings.find((binding) => binding.type === type);
    expect({
      kv: bound("kv_namespace")?.namespace_id ?? null,
      r2: bound("r2_bucket")?.bucket_name ?? null,
      d1: bound("d1")?.database_id ?? null,
    }).toEqual(recorded);
    const row = await testEnv.DB.prepare("SELECT script_key FROM tenants WHERE id = ?")
      .bind(tenant.id)
      .first<{ script_key: string | null }>();
    expect(row?.script_key, "the registry names the live script's bundle").toBeTruthy();
    expect(await testEnv.SCRIPTS.head(row?.script_key as string), "the bundle is in SCRIPTS").not.toBeNull();
    expect(await emulatorCronsOf(tenant.id), "the script's cron triggers are those the registry records").toEqual(
      tenant.script?.crons,
    );
  }

  const routed = gone ? [] : tenant.hostnames;
  for (const hostname of routed) {
    expect(await routeOf(hostname), `route of ${hostname}`).toMatchObject({
      tenantId: tenant.id,
      plan: tenant.plan,
      status:
        tenant.state === "suspended"
          ? "suspended"
          : // A tenant's own domain is routed pending until Cloudflare for SaaS has validated it.
            tenant.customHostnames.some((view) => view.hostname === hostname && view.liveAt === null)
            ? "pending"
            : "active",
    });
  }
  for (const hostname of new Set([...(options.hadHostnames ?? []), ...tenant.hostnames])) {
    if (routed.includes(hostname)) continue;
    expect((await routeOf(hostname))?.tenantId, `route of ${hostname}, no longer the tenant's`).not.toBe(tenant.id);
  }

  const stored = await tenantObjectStorage(tenant.id);
  const storedText = JSON.stringify([...stored]);
  for (const value of options.secretValues ?? []) expect(storedText, "a secret value still kept").not.toContain(value);
  // Whatever else the object keeps (its tenant id; prints of live secrets), no value waits once it has settled.
  expect(
    [...stored.keys()].filter((key) => key.startsWith("secret:")),
    "secret values waiting",
  ).toEqual([]);
  if (gone)
    expect(
      [...stored.keys()].filter((key) => key !== "tenant-id"),
      "what a gone tenant's object keeps",
    ).toEqual([]);
}

/** Sends an end user's request to a tenant through the dispatcher. */
export function visit(id: string, path = "/", init: RequestInit = {}): Promise<Response> {
  return testEnv.DISPATCHER_HTTP.fetch(`http://${id}.localhost${path}`, init);
}

/** A tenant app that uses its KV, R2 and D1 and shows its vars. */
export const NOTES_APP: ScriptSource = {
  mainModule: "index.js",
  modules: {
    "index.js": `import { greet } from "./lib/greet.js";
export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/kv") { await env.KV.put("k", "kv-ok"); return new Response(await env.KV.get("k")); }
    if (url.pathname === "/r2") { await env.BUCKET.put("o", "r2-ok"); return new Response(await (await env.BUCKET.get("o")).text()); }
    if (url.pathname === "/d1") {
      await env.DB.prepare("INSERT INTO notes (body) VALUES (?)").bind("d1-ok").run();
      const row = await env.DB.prepare("SELECT body FROM notes ORDER BY id DESC LIMIT 1").first();
      return new Response(row.body);
    }
    if (url.pathname === "/secret") return new Response(env.API_KEY === undefined ? "no secret" : "secret set");
    return new Response(greet(env.GREETING ?? "hello"));
  },
};`,
    "lib/greet.js": `export const greet = (word) => word + " from v1";`,
  },
  migrations: { "0001_notes.sql": "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);" },
};

export function newTenant(id: string, overrides: Partial<Omit<CreateTenantRequest, "id">> = {}) {
  return { id, plan: "pro", script: NOTES_APP, vars: { GREETING: "hi" }, ...overrides };
}
