import type { D1Migration } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { CreateTenantRequest, ScriptSource, TenantState, TenantView } from "../../../platform/tenants-api";
import type { Env } from "../../src/env";

/** The control plane's bindings (wrangler.local.toml) and what vitest.api.config.ts adds. */
export interface TestEnv extends Env {
  /** The emulator, for its REST API and its /__emulator controls. */
  EMULATOR: Fetcher;
  /** The dispatcher, to send requests to tenants as end users do. */
  DISPATCHER_HTTP: Fetcher;
  EMULATOR_TOKEN: string;
  REGISTRY_MIGRATIONS: D1Migration[];
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
  return { status: response.status, json: (await response.json()) as { result: unknown; success: boolean } };
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
    | { kind: "delay"; ms: number };
};

export async function injectFault(rule: FaultRule): Promise<void> {
  const { status } = await emulator("POST", "/__emulator/faults", rule);
  expect(status).toBe(200);
}

export async function clearFaults(): Promise<void> {
  await emulator("DELETE", "/__emulator/faults");
}

/** Everything in the emulator's account that a tenant id names: what an orphan check compares with the registry. */
export async function emulatorResourcesOf(id: string) {
  const kv = (await emulator("GET", `${account()}/storage/kv/namespaces?per_page=100`)).json.result as {
    title: string;
    id: string;
  }[];
  const r2 = (
    (await emulator("GET", `${account()}/r2/buckets?per_page=1000`)).json.result as { buckets: { name: string }[] }
  ).buckets;
  const d1 = (await emulator("GET", `${account()}/d1/database?per_page=1000`)).json.result as {
    name: string;
    uuid: string;
  }[];
  const script = await emulator(
    "GET",
    `${account()}/workers/dispatch/namespaces/${testEnv.DISPATCH_NAMESPACE}/scripts/${id}`,
  );
  return {
    kv: kv.filter((ns) => ns.title === `t-${id}-kv`).map((ns) => ns.id),
    r2: r2.filter((bucket) => bucket.name === `t-${id}-r2`).map((bucket) => bucket.name),
    d1: d1.filter((db) => db.name === `t-${id}-d1`).map((db) => db.uuid),
    script: script.status === 200,
  };
}

/** The emulator holds exactly what the registry says the tenant has: nothing orphaned, nothing missing. */
export async function expectResourcesMatchRegistry(tenant: TenantView): Promise<void> {
  const actual = await emulatorResourcesOf(tenant.id);
  expect(actual).toEqual({
    kv: tenant.resources.kv === null ? [] : [tenant.resources.kv.id],
    r2: tenant.resources.r2 === null ? [] : [tenant.resources.r2.name],
    d1: tenant.resources.d1 === null ? [] : [tenant.resources.d1.id],
    script: tenant.script?.etag != null,
  });
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
