// @ts-check
// Shipped into every loaded tenant worker: the shim's default export (shim.ts)
// made from the tenant's, the same for every script. Each handler runs inside
// its invocation (invocation.client.js) and sees the tenant's env.
import { abortIsolate, WorkerEntrypoint } from "cloudflare:workers";
import { invocations } from "./__wfp_invocation.js";

/** The entrypoint through which the emulator ends the isolate (loaded-workers.ts); the shim exports it by name. */
export class Evict extends WorkerEntrypoint {
  evict() {
    abortIsolate("evicted by the emulator to bound memory");
  }
}

const HANDLERS = ["fetch", "scheduled", "queue", "tail", "email", "trace"];

/**
 * @template T
 * @param {ExecutionContext | undefined} ctx
 * @param {() => T} run
 * @returns {T}
 */
function within(ctx, run) {
  const id = /** @type {any} */ (ctx)?.props?.__wfp?.invocation;
  return invocations.run({ id, ctx: /** @type {ExecutionContext} */ (ctx) }, run);
}

/**
 * The tenant's default export with every handler run inside its invocation
 * and given the tenant's env: a WorkerEntrypoint class is extended, a handler
 * object copied; anything else is the tenant's to answer for, as it is.
 * @param {any} main the tenant's default export
 * @param {<E>(env: E) => E} tenantEnv
 * @returns {unknown}
 */
export function tenantEntry(main, tenantEnv) {
  if (typeof main === "function") {
    const entry = class extends main {
      /** @param {any} ctx @param {unknown} env */
      constructor(ctx, env) {
        super(ctx, tenantEnv(env));
      }
    };
    for (const handler of HANDLERS) {
      if (typeof main.prototype[handler] !== "function") continue;
      Object.defineProperty(entry.prototype, handler, {
        /** @this {{ ctx: ExecutionContext }} @param {unknown[]} args */
        value: function (...args) {
          return within(this.ctx, () => main.prototype[handler].apply(this, args));
        },
        writable: true,
        configurable: true,
      });
    }
    return entry;
  }
  if (main !== null && typeof main === "object") {
    /** @type {Record<string, Function>} */
    const entry = {};
    for (const handler of HANDLERS) {
      if (typeof main[handler] !== "function") continue;
      /** @param {unknown} event @param {unknown} env @param {ExecutionContext} ctx */
      entry[handler] = (event, env, ctx) => within(ctx, () => main[handler].call(main, event, tenantEnv(env), ctx));
    }
    return entry;
  }
  return main;
}
