import type { DispatchNamespace } from "../../../../emulator/src/dispatch/dispatch-namespace";
import { COMPATIBILITY_DATE } from "../../../../platform/compatibility-date";
import { DIRECT_WORKER, TENANT_MAIN_MODULE, tenantSource } from "../../../shared/tenant-script";
import {
  BARE_PREFIX,
  DIRECT_PATH,
  FRONT_ANSWER,
  FRONT_PATH,
  NAMESPACE_GET_PREFIX,
  NAMESPACE_PREFIX,
} from "../../routes";

interface Env {
  DISPATCHER: Service<DispatchNamespace>;
  EMULATOR: Fetcher;
  LOADER: WorkerLoader;
}

/**
 * The tenant code as the Worker Loader gets it without the namespace layer, answering `name`:
 * no lookup, no shim, no egress, no bindings; the same isolation (no network).
 */
const bareCode = (name: string) => (): WorkerLoaderWorkerCode => ({
  compatibilityDate: COMPATIBILITY_DATE,
  mainModule: TENANT_MAIN_MODULE,
  modules: { [TENANT_MAIN_MODULE]: tenantSource(name) },
  globalOutbound: null,
});

/** A bare worker loaded (if it is not yet) and sent the request. */
const runBare = (env: Env, name: string, request: Request) =>
  env.LOADER.get(name, bareCode(name)).getEntrypoint().fetch(request);

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith(NAMESPACE_PREFIX)) {
      const script = decodeURIComponent(pathname.slice(NAMESPACE_PREFIX.length));
      return env.DISPATCHER.get(script).fetch(request);
    }
    if (pathname.startsWith(NAMESPACE_GET_PREFIX)) {
      const script = decodeURIComponent(pathname.slice(NAMESPACE_GET_PREFIX.length));
      await env.DISPATCHER.get(script);
      return new Response(script, { headers: { "content-type": "text/plain" } });
    }
    if (pathname === DIRECT_PATH) return runBare(env, DIRECT_WORKER, request);
    if (pathname.startsWith(BARE_PREFIX)) return runBare(env, `bare-${pathname.slice(BARE_PREFIX.length)}`, request);
    if (pathname === FRONT_PATH) return new Response(FRONT_ANSWER, { headers: { "content-type": "text/plain" } });
    // The REST API and the health check: the emulator is reachable only through this Worker.
    return env.EMULATOR.fetch(request);
  },
} satisfies ExportedHandler<Env>;
