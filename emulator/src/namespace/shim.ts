/** Modules the emulator ships into every loaded worker, next to the tenant's own. */
export const RUNTIME_MODULES = {
  invocation: "__wfp_invocation.js",
  egress: "__wfp_egress.js",
  settled: "__wfp_settled.js",
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
 * The main module of a loaded worker: it evaluates the egress patch first,
 * imports the tenant's main module, replaces each emulated binding's stub by
 * its client (`wrap(stub)`), and runs every handler inside its invocation.
 * Generated per script because the binding names and the main module differ.
 */
export function shimSource(mainModule: string, wrapped: { binding: string; module: string }[]): string {
  const clientModules = [...new Set(wrapped.map((w) => w.module))];
  const imports = clientModules.map((m, i) => `import { wrap as wrap${i} } from ${JSON.stringify(`./${m}`)};`);
  const table = wrapped.map((w) => `[${JSON.stringify(w.binding)}, wrap${clientModules.indexOf(w.module)}]`);
  return `import { WorkerEntrypoint, abortIsolate } from "cloudflare:workers";
import { invocations } from "./${RUNTIME_MODULES.invocation}";
import { setEgress } from "./${RUNTIME_MODULES.egress}";
import * as tenant from ${JSON.stringify(`./${mainModule}`)};
${imports.join("\n")}
export * from ${JSON.stringify(`./${mainModule}`)};

export class ${EVICT_ENTRYPOINT} extends WorkerEntrypoint {
  evict() { abortIsolate("evicted by the emulator to bound memory"); }
}

const WRAPPED = [${table.join(", ")}];
const envs = new WeakMap();
function tenantEnv(env) {
  let out = envs.get(env);
  if (out === undefined) {
    const { ${EGRESS_BINDING}: egress, ...rest } = env;
    setEgress(egress);
    out = rest;
    for (const [name, wrap] of WRAPPED) out[name] = wrap(env[name]);
    envs.set(env, out);
  }
  return out;
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
