// @ts-check
// Shipped into every loaded tenant worker: what makes the tenant's env, the
// same for every script. The generated `__wfp_env.js` (shim.ts) names which
// bindings to wrap and calls it on the module-level env before any module of
// the tenant's is evaluated; the shim calls it on each handler's env.
import { setEgress } from "./__wfp_egress.js";

/**
 * The function that changes an env in place: the egress stub taken out, each
 * emulated binding's stub replaced by its client (`wrap(stub)`).
 * @param {string} egressBinding where the loaded worker's env carries the egress stub
 * @param {[string, (stub: unknown) => object][]} wrapped each binding to wrap, with its client's `wrap`
 * @returns {<E>(env: E) => E}
 */
export function tenantEnvOf(egressBinding, wrapped) {
  // The module-level env may be a view of the handler's env rather than the same object, so what is marked done
  // is each client made, not the env: a binding that already holds one of them is not wrapped twice.
  const clients = new WeakSet();
  return (env) => {
    if (env === null || typeof env !== "object") return env;
    const bindings = /** @type {Record<string, unknown>} */ (env);
    if (Object.hasOwn(bindings, egressBinding)) {
      setEgress(/** @type {Fetcher} */ (bindings[egressBinding]));
      delete bindings[egressBinding];
    }
    for (const [name, wrap] of wrapped) {
      if (clients.has(/** @type {object} */ (bindings[name]))) continue;
      const client = wrap(bindings[name]);
      clients.add(client);
      bindings[name] = client;
    }
    return env;
  };
}
