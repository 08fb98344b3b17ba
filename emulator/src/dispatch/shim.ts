/** Modules the emulator ships into every loaded worker, next to the tenant's own. */
export const RUNTIME_MODULES = {
  invocation: "__wfp_invocation.js",
  egress: "__wfp_egress.js",
  settled: "__wfp_settled.js",
  tenantEnv: "__wfp_tenant-env.js",
  entry: "__wfp_entry.js",
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

/**
 * The module that makes the tenant's env (tenant-env.client.ts), evaluated
 * before any module of the tenant's: only which bindings to wrap, with which
 * client's `wrap`, is generated.
 */
export function envSource(wrapped: { binding: string; module: string }[]): string {
  const clientModules = [...new Set(wrapped.map((w) => w.module))];
  const imports = clientModules.map((m, i) => `import { wrap as wrap${i} } from ${JSON.stringify(`./${m}`)};`);
  const table = wrapped.map((w) => `[${JSON.stringify(w.binding)}, wrap${clientModules.indexOf(w.module)}]`);
  return `import { makeTenantEnv } from "./${RUNTIME_MODULES.tenantEnv}";
${imports.join("\n")}

export const tenantEnv = makeTenantEnv([${table.join(", ")}]);
`;
}

/**
 * The main module of a loaded worker: it makes the tenant's env (envSource)
 * before the tenant's modules are evaluated, imports the tenant's main
 * module, and exports it with every handler run inside its invocation with
 * that env (entry.client.ts). Generated per script because the main module
 * differs.
 */
export function shimSource(mainModule: string): string {
  const tenant = JSON.stringify(`./${mainModule}`);
  return `import { tenantEnv } from "./${RUNTIME_MODULES.env}";
import { tenantEntry } from "./${RUNTIME_MODULES.entry}";
import * as tenant from ${tenant};
export * from ${tenant};
export { Evict as ${EVICT_ENTRYPOINT} } from "./${RUNTIME_MODULES.entry}";
export default tenantEntry(tenant.default, tenantEnv);
`;
}
