import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { COMPATIBILITY_DATE } from "../../platform/compatibility-date";
import type { PlanName } from "../../platform/plans";
import { type RouteRecord, RouteRecord as RouteRecordSchema, routeKey } from "../../platform/routes";
import { emulatorClient } from "../../test/shared/emulator-client";
import { parseConfig } from "../src/config";
import { createDispatcher } from "../src/dispatcher";
import type { Env } from "../src/env";

/** The dispatcher's bindings (dispatcher/wrangler.local.toml) and what the tests add (vitest.config.ts). */
export interface TestEnv extends Env {
  /** The emulator, for its REST API. */
  EMULATOR: Fetcher;
  /** The account and namespace DISPATCHER points at. */
  TENANTS_ACCOUNT: string;
  TENANTS_NAMESPACE: string;
  EMULATOR_TOKEN: string;
}

export const testEnv = env as unknown as TestEnv;

/** A name no other test uses: every test file shares the emulator and the routing table. */
export const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

/** The emulator's REST API, through its service binding. */
const emulator = emulatorClient((path, init) => {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${testEnv.EMULATOR_TOKEN}`);
  return testEnv.EMULATOR.fetch(`http://emulator/client/v4/accounts/${testEnv.TENANTS_ACCOUNT}${path}`, {
    ...init,
    headers,
  });
});

let namespaceReady: Promise<void> | undefined;

/** Creates the namespace DISPATCHER points at, once (it may exist already: other files create it too). */
function ensureNamespace(): Promise<void> {
  namespaceReady ??= (async () => {
    const res = await emulator.createNamespace(testEnv.TENANTS_NAMESPACE);
    if (!res.ok && res.status !== 409)
      throw new Error(`creating the namespace: HTTP ${res.status} ${await res.text()}`);
  })();
  return namespaceReady;
}

/** Uploads a tenant's Worker (one ES module) into the namespace through the emulator's REST API, as the control plane will. */
export async function deployScript(scriptName: string, source: string): Promise<void> {
  await ensureNamespace();
  const res = await emulator.uploadScript(testEnv.TENANTS_NAMESPACE, scriptName, {
    mainModule: "index.js",
    modules: { "index.js": source },
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: [],
    tags: [],
  });
  if (!res.ok) throw new Error(`uploading ${scriptName}: HTTP ${res.status} ${await res.text()}`);
}

/** Writes a hostname's route into the routing table, as the control plane will. */
export async function putRoute(hostname: string, route: RouteRecord | Record<string, unknown>): Promise<void> {
  await testEnv.ROUTES.put(routeKey(hostname), JSON.stringify(route));
}

/** A route for `tenantId` whose script has the same name. */
export function routeFor(tenantId: string, overrides: Partial<{ plan: PlanName; status: string }> = {}): RouteRecord {
  return RouteRecordSchema.parse({ tenantId, scriptName: tenantId, plan: "pro", status: "active", ...overrides });
}

/** A tenant at `<tenantId>.localhost` running `source`. */
export async function tenant(
  source: string,
  overrides: Partial<{ plan: PlanName; status: string }> = {},
): Promise<{ tenantId: string; host: string }> {
  const tenantId = unique("t");
  await deployScript(tenantId, source);
  const host = `${tenantId}.${testEnv.PLATFORM_DOMAIN}`;
  await putRoute(host, routeFor(tenantId, overrides));
  return { tenantId, host };
}

/** The ROUTES binding, counting its reads. */
export function countingKv(kv: KVNamespace): KVNamespace & { readonly reads: number } {
  let reads = 0;
  return new Proxy(kv, {
    get(target, property) {
      if (property === "reads") return reads;
      const value = Reflect.get(target, property);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (property === "get" || property === "getWithMetadata") reads++;
        return Reflect.apply(value, target, args);
      };
    },
  }) as KVNamespace & { readonly reads: number };
}

/** An Analytics Engine dataset that keeps what is written to it. */
export function recordingDataset(): AnalyticsEngineDataset & { readonly points: AnalyticsEngineDataPoint[] } {
  const points: AnalyticsEngineDataPoint[] = [];
  return {
    points,
    writeDataPoint(point) {
      points.push(structuredClone(point ?? {}));
    },
  };
}

/** A clock that moves only when the test moves it: route cache TTLs without waiting or racing the wall clock. */
export function manualClock(start = 1_000_000) {
  let at = start;
  return {
    now: () => at,
    advance(ms: number) {
      at += ms;
    },
  };
}

/**
 * A dispatcher of its own (its own route cache) with the test's bindings,
 * ROUTES counting its reads and METRICS recording its points; `vars`
 * overrides the local config's vars, `now` is its route cache's clock.
 */
export function harness(vars: Partial<Env> = {}, now: () => number = Date.now) {
  const routes = countingKv(testEnv.ROUTES);
  const metrics = recordingDataset();
  const env = { ...testEnv, ROUTES: routes, METRICS: metrics, ...vars };
  const dispatch = createDispatcher(env, parseConfig(env), now);
  const pending: ExecutionContext[] = [];
  return {
    routes,
    metrics,
    /** One request, as the runtime would hand it to the dispatcher. */
    fetch(input: string, init?: RequestInit): Promise<Response> {
      return this.send(new Request(input, init));
    },
    /** A request built by the test, as the runtime would hand it over. */
    send(request: Request): Promise<Response> {
      const ctx = createExecutionContext();
      pending.push(ctx);
      return dispatch(request, ctx);
    },
    /** Waits for everything the requests so far left in waitUntil (the metering data points). */
    async settled(): Promise<void> {
      await Promise.all(pending.splice(0).map((ctx) => waitOnExecutionContext(ctx)));
    },
  };
}

/**
 * A GET or HEAD carrying `body`, as workerd's HTTP server hands one over when
 * a client sends a Content-Length with it. JavaScript cannot build one (`new
 * Request` throws for a GET with a body), so this is a real bodiless Request
 * whose `body` is a real stream of those bytes, with the Content-Length the
 * client declared. test/dev-front-door.test.ts sends the real thing over a
 * socket to `npm run dev`.
 */
export function bodiedRequest(method: "GET" | "HEAD", url: string, body: string): Request {
  const bytes = new TextEncoder().encode(body);
  const request = new Request(url, { method, headers: { "content-length": String(bytes.byteLength) } });
  const stream = new Blob([bytes]).stream();
  return new Proxy(request, {
    get(target, property) {
      if (property === "body") return stream;
      // The runtime's getters and methods want the real Request as `this`.
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/** The body of a dispatcher error, after checking its status. */
export async function errorOf(
  res: Response,
  status: number,
): Promise<{ code: string; message: string; requestId: string }> {
  const body = await res.json<{ error: { code: string; message: string; requestId: string } }>();
  if (res.status !== status) throw new Error(`expected HTTP ${status}, got ${res.status}: ${JSON.stringify(body)}`);
  return body.error;
}

/** Tenant Worker sources the tests deploy. */
export const scripts = {
  /** Answers with what it received. */
  echo: `export default {
    async fetch(request) {
      return Response.json({
        method: request.method,
        url: request.url,
        headers: Object.fromEntries(request.headers),
        body: await request.text(),
      });
    },
  };`,
  /** Answers `hello <name>`. */
  hello: (name: string) => `export default { fetch() { return new Response("hello ${name}"); } };`,
};

/** What the echo script answers. */
export interface Echo {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}
