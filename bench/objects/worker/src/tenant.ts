import { objectOf } from "../../routes";
import type { Counter, CounterEnv } from "./counter";

export { Counter } from "./counter";

/** A tenant script's bindings: its class's namespace, and its name (a plain_text binding). */
interface TenantEnv extends CounterEnv {
  COUNTER: DurableObjectNamespace<Counter>;
}

/** Each tenant script's main module (bundled with its class by the bench): the request to the object its path names. */
export default {
  fetch(request: Request, env: TenantEnv): Promise<Response> {
    return env.COUNTER.getByName(objectOf(new URL(request.url).pathname)).fetch(request);
  },
} satisfies ExportedHandler<TenantEnv>;
