import type { DispatchNamespace } from "../../../../emulator/src/dispatch/dispatch-namespace";
import { DIRECT_PREFIX, FRONT_ANSWER, FRONT_PATH, NAMESPACE_PREFIX, objectOf } from "../../routes";
import type { Counter, CounterEnv } from "./counter";

export { Counter } from "./counter";

interface Env extends CounterEnv {
  DISPATCHER: Service<DispatchNamespace>;
  EMULATOR: Fetcher;
  DIRECT: DurableObjectNamespace<Counter>;
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname.startsWith(NAMESPACE_PREFIX)) {
      // /ns/<script>/<object>: the script's own handler finds the object.
      const script = decodeURIComponent(pathname.slice(NAMESPACE_PREFIX.length).split("/", 1)[0] ?? "");
      return env.DISPATCHER.get(script).fetch(request);
    }
    if (pathname.startsWith(DIRECT_PREFIX)) return env.DIRECT.getByName(objectOf(pathname)).fetch(request);
    if (pathname === FRONT_PATH) return new Response(FRONT_ANSWER, { headers: { "content-type": "text/plain" } });
    // The REST API and the health check: the emulator is reachable only through this Worker.
    return env.EMULATOR.fetch(request);
  },
} satisfies ExportedHandler<Env>;
