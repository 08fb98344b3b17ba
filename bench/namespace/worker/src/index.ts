import type { DispatchNamespace } from "../../../../emulator/src/dispatch/dispatch-namespace";
import { COMPATIBILITY_DATE } from "../../../../platform/compatibility-date";
import { DIRECT_WORKER, TENANT_MAIN_MODULE, tenantSource } from "../../../shared/tenant-script";
import { DIRECT_PATH, FRONT_ANSWER, FRONT_PATH, NAMESPACE_PREFIX } from "../../routes";

interface Env {
  DISPATCHER: Service<DispatchNamespace>;
  EMULATOR: Fetcher;
  LOADER: WorkerLoader;
}

/**
 * The tenant code as the Worker Loader gets it without the namespace layer:
 * no lookup, no shim, no egress, no bindings; the same isolation (no network).
 */
const directCode = (): WorkerLoaderWorkerCode => ({
  compatibilityDate: COMPATIBILITY_DATE,
  mainModule: TENANT_MAIN_MODULE,
  modules: { [TENANT_MAIN_MODULE]: tenantSource(DIRECT_WORKER) },
  globalOutbound: null,
});

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith(NAMESPACE_PREFIX)) {
      const script = decodeURIComponent(pathname.slice(NAMESPACE_PREFIX.length));
      return env.DISPATCHER.get(script).fetch(request);
    }
    if (pathname === DIRECT_PATH) return env.LOADER.get(DIRECT_WORKER, directCode).getEntrypoint().fetch(request);
    if (pathname === FRONT_PATH) return new Response(FRONT_ANSWER, { headers: { "content-type": "text/plain" } });
    // The REST API and the health check: the emulator is reachable only through this Worker.
    return env.EMULATOR.fetch(request);
  },
} satisfies ExportedHandler<Env>;
