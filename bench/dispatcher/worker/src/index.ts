import { dispatchOptions } from "../../../../dispatcher/src/dispatch-options";
import { createDispatcher, type Dispatcher } from "../../../../dispatcher/src/dispatcher";
import type { Env as DispatcherEnv } from "../../../../dispatcher/src/env";
import { RouteRecord, routeKey } from "../../../../platform/routes";
import { BENCH_PREFIX, DIRECT_PREFIX, KV_READS_PATH, LOGS_PREFIX, ROUTES_PATH, TAILED_PREFIX } from "../../routes";

interface Env extends DispatcherEnv {
  EMULATOR: Fetcher;
  DISPATCHER_TAILED: DispatchNamespace;
  LOGS: Fetcher;
}

/** Reads of the routing table since the isolate started: the number the bench reports per 1,000 requests. */
let kvReads = 0;
let dispatcher: { env: Env; dispatch: Dispatcher } | undefined;
let tailed: { env: Env; dispatch: Dispatcher } | undefined;

/** The same dispatcher, its namespace binding the one with the tail consumer on. */
function tailedDispatcherFor(env: Env): Dispatcher {
  if (tailed?.env !== env) tailed = { env, dispatch: createDispatcher({ ...env, DISPATCHER: env.DISPATCHER_TAILED }) };
  return tailed.dispatch;
}

/** The dispatcher exactly as deployed (src/dispatcher.ts), its ROUTES binding counting reads. */
function dispatcherFor(env: Env): Dispatcher {
  if (dispatcher?.env !== env) {
    const routes = new Proxy(env.ROUTES, {
      get(target, property) {
        const value = Reflect.get(target, property);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (property === "get" || property === "getWithMetadata") kvReads++;
          return Reflect.apply(value, target, args);
        };
      },
    });
    dispatcher = { env, dispatch: createDispatcher({ ...env, ROUTES: routes }) };
  }
  return dispatcher.dispatch;
}

/** The same tenant Worker, with the same options, without the dispatcher: `get(script).fetch(request)`. */
async function direct(env: Env, script: string, request: Request): Promise<Response> {
  const route = RouteRecord.parse({ tenantId: script, scriptName: script, plan: "pro", status: "active" });
  const worker = await env.DISPATCHER.get(script, {}, dispatchOptions(route));
  return worker.fetch(request);
}

async function putRoutes(env: Env, request: Request): Promise<Response> {
  const routes = (await request.json()) as { hostname: string; route: unknown }[];
  await Promise.all(
    routes.map(({ hostname, route }) => env.ROUTES.put(routeKey(hostname), JSON.stringify(RouteRecord.parse(route)))),
  );
  return Response.json({ written: routes.length });
}

export default {
  async fetch(request, env, ctx): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith(DIRECT_PREFIX)) return direct(env, pathname.slice(DIRECT_PREFIX.length), request);
    if (pathname.startsWith(TAILED_PREFIX)) {
      const url = new URL(request.url);
      url.pathname = `/${pathname.slice(TAILED_PREFIX.length)}`;
      return tailedDispatcherFor(env)(new Request(url, request), ctx);
    }
    if (pathname.startsWith(LOGS_PREFIX)) {
      return env.LOGS.fetch(`https://tail/tenants/${pathname.slice(LOGS_PREFIX.length)}/logs?limit=1`);
    }
    if (pathname === KV_READS_PATH) return Response.json({ reads: kvReads });
    if (pathname === ROUTES_PATH && request.method === "POST") return putRoutes(env, request);
    if (pathname.startsWith(BENCH_PREFIX)) return new Response("no such bench route", { status: 404 });
    if (pathname.startsWith("/client/v4/") || pathname.startsWith("/__emulator/")) return env.EMULATOR.fetch(request);
    return dispatcherFor(env)(request, ctx);
  },
} satisfies ExportedHandler<Env>;
