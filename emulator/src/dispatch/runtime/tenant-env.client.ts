// Shipped into every loaded tenant worker: what makes the tenant's env, the
// same for every script. The generated `__wfp_env.js` (shim.ts) only names
// which bindings to wrap, with their clients' `wrap`.
import { env as moduleEnv } from "cloudflare:workers";
import { EGRESS_BINDING, OBJECTS_BINDING } from "../shim.ts";
import { setEgress } from "./egress.client.ts";
import { setObjectsChannel } from "./objects.client.ts";

/** A binding client's `wrap`: the emulator's stub in, the object with the real binding's API out. */
export type Wrap = (stub: unknown) => object;

/** Changes an env in place and gives it back. */
export type TenantEnv = <E>(env: E) => E;

/**
 * The function that changes an env in place: the egress stub and the Durable
 * Objects' alarm channel taken out, each
 * emulated binding's stub replaced by its client (`wrap(stub)`). It is applied
 * at once to `env` from `cloudflare:workers` (readable at the top level of a
 * tenant's module and in its handlers), which is the loaded worker's env
 * itself: the generated module that calls this is evaluated before any module
 * of the tenant's. The shim applies it to each handler's env, so a tenant sees
 * the same bindings through either, and no stub of the emulator's.
 */
export function makeTenantEnv(wrapped: [binding: string, wrap: Wrap][]): TenantEnv {
  // The module-level env may be a view of the handler's env rather than the same object, so what is marked done
  // is each client made, not the env: a binding that already holds one of them is not wrapped twice.
  const clients = new WeakSet<object>();
  const tenantEnv: TenantEnv = (env) => {
    if (env === null || typeof env !== "object") return env;
    const bindings = env as Record<string, unknown>;
    if (Object.hasOwn(bindings, EGRESS_BINDING)) {
      setEgress(bindings[EGRESS_BINDING] as Fetcher);
      delete bindings[EGRESS_BINDING];
    }
    if (Object.hasOwn(bindings, OBJECTS_BINDING)) {
      setObjectsChannel(bindings[OBJECTS_BINDING] as Parameters<typeof setObjectsChannel>[0]);
      delete bindings[OBJECTS_BINDING];
    }
    for (const [name, wrap] of wrapped) {
      if (clients.has(bindings[name] as object)) continue;
      const client = wrap(bindings[name]);
      clients.add(client);
      bindings[name] = client;
    }
    return env;
  };
  tenantEnv(moduleEnv);
  return tenantEnv;
}
