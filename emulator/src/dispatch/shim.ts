/** Modules the emulator ships into every loaded worker, next to the tenant's own. */
export const RUNTIME_MODULES = {
  invocation: "__wfp_invocation.js",
  egress: "__wfp_egress.js",
  settled: "__wfp_settled.js",
  objects: "__wfp_objects.js",
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

/** Where the loaded worker's env carries the channel its Durable Objects' alarms go through; taken out like egress. */
export const OBJECTS_BINDING = "__wfp_objects";

/** The export name under which the shim hands the host the `index`th Durable Object class (durable-objects/host.ts). */
export const objectExportName = (index: number) => `__wfp_object_${index}`;

/** The prop the host starts a tenant's object with: the name its id was made from, or null (objects.client.ts). */
export const OBJECT_NAME_PROP = "__wfp_name";

/** The shim's export listing the declared classes the tenant's main module does not export (startup-check.ts). */
export const UNEXPORTED_CLASSES = "__wfp_unexported_classes";

/** The shim's export listing the handlers of the tenant's default export (startup-check.ts). */
export const HANDLER_NAMES = "__wfp_handlers";

/** A Durable Object class the script declares, with the namespace its objects live in. */
export interface DeclaredClass {
  className: string;
  namespaceId: string;
}

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
 * that env (entry.client.ts), and each declared Durable Object class made
 * runnable as a facet (objects.client.ts). Generated per script because the
 * main module and the classes differ.
 */
export function shimSource(mainModule: string, classes: readonly DeclaredClass[] = []): string {
  const tenant = JSON.stringify(`./${mainModule}`);
  const objects = classes.map(
    ({ className, namespaceId }, i) =>
      `export const ${objectExportName(i)} = objectClass(tenant[${JSON.stringify(className)}], ${JSON.stringify(namespaceId)}, tenantEnv);`,
  );
  const names = JSON.stringify(classes.map((c) => c.className));
  return `import { tenantEnv } from "./${RUNTIME_MODULES.env}";
import { handlersOf, tenantEntry } from "./${RUNTIME_MODULES.entry}";
import { objectClass } from "./${RUNTIME_MODULES.objects}";
import * as tenant from ${tenant};
export * from ${tenant};
export { Evict as ${EVICT_ENTRYPOINT} } from "./${RUNTIME_MODULES.entry}";
export default tenantEntry(tenant.default, tenantEnv);
${objects.join("\n")}
export const ${UNEXPORTED_CLASSES} = ${names}.filter((name) => typeof tenant[name] !== "function");
export const ${HANDLER_NAMES} = handlersOf(tenant.default);
`;
}
