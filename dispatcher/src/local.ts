import { WorkerEntrypoint } from "cloudflare:workers";
import { LOCAL_DISPATCH_HEADER } from "../../emulator/src/dispatch/dispatch-types";
import type { Env } from "./env";
import worker from "./index";
import { inRequest, localMetrics } from "./local-metrics";

/**
 * The local DISPATCHER (the emulator's DispatchNamespace, in another `wrangler
 * dev` process): `get()` hands back an RPC handle there, as the dev registry
 * cannot carry a Fetcher, and an RPC handle cannot carry a WebSocket. A
 * WebSocket upgrade therefore goes to the binding's own `fetch()`, which the
 * dev registry does carry, naming the script and the options `get()` was
 * given; everything else goes through `get()` as in production.
 */
function upgradesPass(namespace: DispatchNamespace): DispatchNamespace {
  const binding = namespace as unknown as DispatchNamespace & Fetcher;
  return {
    get(name, args, options) {
      const handle = binding.get(name, args, options);
      return {
        async fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
          const request = new Request(input, init);
          if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return handle.fetch(request);
          request.headers.set(LOCAL_DISPATCH_HEADER, JSON.stringify({ script: name, options: options ?? {} }));
          return binding.fetch(request);
        },
      } as Fetcher;
    },
  } as DispatchNamespace;
}

/** The env the dispatcher sees locally, one per env the runtime hands over (the dispatcher is built once per env). */
const localEnvs = new WeakMap<Env, Env>();

function localEnvOf(env: Env): Env {
  const local = { ...env, DISPATCHER: upgradesPass(env.DISPATCHER), METRICS: localMetrics(env.METRICS) };
  localEnvs.set(env, local);
  return local;
}

export default {
  fetch(request, env, ctx) {
    const local = localEnvs.get(env) ?? localEnvOf(env);
    return inRequest(ctx, () => worker.fetch(request, local, ctx));
  },
} satisfies ExportedHandler<Env>;

/**
 * The dispatcher's routing table, offered to the control plane when both run
 * locally (`npm run dev`, the tests). In production both Workers bind the same
 * KV namespace; locally each `wrangler dev` process keeps its own KV store, so
 * the control plane's ROUTES binding is this entrypoint instead, which takes
 * the KVNamespace calls the control plane makes and applies them to the
 * dispatcher's own ROUTES. Only the local config (wrangler.local.toml) uses
 * this module as `main`: production does not expose its table.
 */
export class RoutesTable extends WorkerEntrypoint<Env> {
  get(key: string, type: "text" | "json" = "text"): Promise<unknown> {
    return type === "json" ? this.env.ROUTES.get(key, "json") : this.env.ROUTES.get(key, "text");
  }

  put(key: string, value: string): Promise<void> {
    return this.env.ROUTES.put(key, value);
  }

  delete(key: string): Promise<void> {
    return this.env.ROUTES.delete(key);
  }
}
