/** Modules the emulator ships into every loaded worker, next to the tenant's own. */
export const RUNTIME_MODULES = {
  invocation: "__wfp_invocation.js",
  egress: "__wfp_egress.js",
  settled: "__wfp_settled.js",
  env: "__wfp_env.js",
  shim: "__wfp_shim.js",
} as const;

/**
 * Module names the tenant cannot use, because the emulator's own modules live
 * there (a tenant's `__wfp_egress.js` would replace the egress patch). Leading
 * `./` and `/` name the same module, so they are looked through.
 */
export const isReservedModuleName = (name: string) => name.replace(/^(?:\.?\/)+/, "").startsWith("__wfp_");

/** The entrypoint every loaded worker exports so the emulator can end its isolate (loaded-workers.ts). */
export const EVICT_ENTRYPOINT = "__WfpEvict";

/** Where the loaded worker's env carries the egress stub; the shim takes it out before the tenant sees env. */
export const EGRESS_BINDING = "__wfp_egress";

const HANDLERS = ["fetch", "scheduled", "queue", "tail", "email", "trace"] as const;

/**
 * The module that makes the tenant's env, evaluated before any module of the
 * tenant's: `env` from `cloudflare:workers` (readable at the top level of a
 * tenant's module and in its handlers) is the loaded worker's env itself, so
 * it is changed in place, as the handler's env is: the egress stub taken out,
 * each emulated binding's stub replaced by its client (`wrap(stub)`). A tenant
 * then sees the same bindings through either, and no stub of the emulator's.
 */
export function envSource(wrapped: { binding: string; module: string }[]): string {
  const clientModules = [...new Set(wrapped.map((w) => w.module))];
  const imports = clientModules.map((m, i) => `import { wrap as wrap${i} } from ${JSON.stringify(`./${m}`)};`);
  const table = wrapped.map((w) => `[${JSON.stringify(w.binding)}, wrap${clientModules.indexOf(w.module)}]`);
  return `import { env as moduleEnv } from "cloudflare:workers";
import { setEgress } from "./${RUNTIME_MODULES.egress}";
${imports.join("\n")}

const WRAPPED = [${table.join(", ")}];
// The module-level env may be a view of the handler's env rather than the same object, so what is marked done
// is each client made, not the env: a binding that already holds one of them is not wrapped twice.
const clients = new WeakSet();
export function tenantEnv(env) {
  if (env === null || typeof env !== "object") return env;
  if (Object.hasOwn(env, "${EGRESS_BINDING}")) {
    setEgress(env.${EGRESS_BINDING});
    delete env.${EGRESS_BINDING};
  }
  for (const [name, wrap] of WRAPPED) {
    if (clients.has(env[name])) continue;
    const client = wrap(env[name]);
    clients.add(client);
    env[name] = client;
  }
  return env;
}
tenantEnv(moduleEnv);
`;
}

/**
 * The main module of a loaded worker: it makes the tenant's env (envSource)
 * before the tenant's modules are evaluated, imports the tenant's main
 * module, and runs every handler inside its invocation with that env.
 * Generated per script because the main module differs.
 */
export function shimSource(mainModule: string): string {
  return `import { WorkerEntrypoint, abortIsolate } from "cloudflare:workers";
import { invocations } from "./${RUNTIME_MODULES.invocation}";
import { tenantEnv } from "./${RUNTIME_MODULES.env}";
import * as tenant from ${JSON.stringify(`./${mainModule}`)};
export * from ${JSON.stringify(`./${mainModule}`)};

export class ${EVICT_ENTRYPOINT} extends WorkerEntrypoint {
  evict() { abortIsolate("evicted by the emulator to bound memory"); }
}

function within(ctx, run) {
  return invocations.run({ id: ctx?.props?.__wfp?.invocation, ctx }, run);
}
const main = tenant.default;
let entry = main;
if (typeof main === "function") {
  entry = class extends main {
    constructor(ctx, env) { super(ctx, tenantEnv(env)); }
  };
  for (const handler of ${JSON.stringify(HANDLERS)}) {
    if (typeof main.prototype[handler] !== "function") continue;
    Object.defineProperty(entry.prototype, handler, {
      value: function (...args) { return within(this.ctx, () => main.prototype[handler].apply(this, args)); },
      writable: true, configurable: true,
    });
  }
} else if (main !== null && typeof main === "object") {
  entry = {};
  for (const handler of ${JSON.stringify(HANDLERS)}) {
    if (typeof main[handler] !== "function") continue;
    entry[handler] = (event, env, ctx) => within(ctx, () => main[handler].call(main, event, tenantEnv(env), ctx));
  }
}
export default entry;
`;
}
