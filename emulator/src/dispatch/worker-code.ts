import { bindingKinds } from "../bindings";
import type { Exports, RunScope } from "../bindings/kind";
import type { RunnableScript, StoredModule } from "./runnable-script";
import egressSource from "./runtime/egress.client.built.js";
import entrySource from "./runtime/entry.client.built.js";
import invocationSource from "./runtime/invocation.client.built.js";
import objectsSource from "./runtime/objects.client.built.js";
import settledSource from "./runtime/settled.client.built.js";
import tenantEnvSource from "./runtime/tenant-env.client.built.js";
import { EGRESS_BINDING, envSource, OBJECTS_BINDING, RUNTIME_MODULES, shimSource } from "./shim";

/** The emulator's modules that are the same in every loaded worker, by the name the others import them by. */
const RUNTIME_SOURCES = [
  [RUNTIME_MODULES.invocation, invocationSource],
  [RUNTIME_MODULES.egress, egressSource],
  [RUNTIME_MODULES.settled, settledSource],
  [RUNTIME_MODULES.objects, objectsSource],
  [RUNTIME_MODULES.tenantEnv, tenantEnvSource],
  [RUNTIME_MODULES.entry, entrySource],
] as const;

type LoaderModule = WorkerLoaderWorkerCode["modules"][string];

/** A script's own modules, in the Worker Loader's form, by name: what crosses to a runner process (src/runner). */
export type TenantModules = WorkerLoaderWorkerCode["modules"];

/** Reads one uploaded module and gives it the Worker Loader's form for its content type. */
async function loadModule(bucket: R2Bucket, module: StoredModule): Promise<LoaderModule | undefined> {
  const object = await bucket.get(module.r2Key);
  if (object === null) throw new Error(`module ${module.name} of this script is missing from storage`);
  const type = module.type.split(";")[0]?.trim();
  switch (type) {
    case "application/javascript+module":
    case "text/javascript+module":
      return { js: await object.text() };
    case "application/javascript":
    case "text/javascript":
      return { cjs: await object.text() };
    case "text/plain":
      return { text: await object.text() };
    case "application/json":
      return { json: await object.json() };
    case "application/wasm":
      return { wasm: await object.arrayBuffer() };
    case "application/octet-stream":
      return { data: await object.arrayBuffer() };
    default:
      // Source maps and other non-executable parts are kept with the upload but not loaded.
      return undefined;
  }
}

/** Reads a script's modules from `bucket` (SCRIPT_MODULES, or an upload standing in for it). */
export async function loadTenantModules(bucket: R2Bucket, script: RunnableScript): Promise<TenantModules> {
  const modules: TenantModules = {};
  const loaded = await Promise.all(script.modules.map(async (m) => [m.name, await loadModule(bucket, m)] as const));
  for (const [name, module] of loaded) if (module !== undefined) modules[name] = module;
  return modules;
}

/**
 * Turns an upload into the code the Worker Loader runs: the tenant's modules,
 * the emulator's runtime modules, the shim as main module, the env built from
 * the upload's bindings (stubs from `exports`, the entrypoints of the process
 * that runs it), and the egress every subrequest goes through.
 */
export function assembleWorkerCode(
  tenantModules: TenantModules,
  exports: Exports,
  scope: RunScope,
  script: RunnableScript,
  egress: Fetcher,
): WorkerLoaderWorkerCode {
  if (script.mainModule === null) throw new Error("This Worker has no code: it serves static assets only");
  const modules: TenantModules = { ...tenantModules };
  // The emulator's modules go in after the tenant's, so one of its names (refused at upload) can never replace them.
  for (const [name, js] of RUNTIME_SOURCES) modules[name] = { js };

  const workerEnv: Record<string, unknown> = { [EGRESS_BINDING]: egress };
  if (script.objectClasses.length > 0) {
    // The channel the script's objects' alarms go through (objects.client.ts): the same entrypoint as its
    // Durable Object bindings, for no namespace in particular.
    workerEnv[OBJECTS_BINDING] = exports.TenantDurableObjects?.({
      props: { scope, namespaceId: null, etag: script.etag },
    });
  }
  const wrapped: { binding: string; module: string }[] = [];
  for (const binding of script.bindings) {
    const kind = bindingKinds.get(binding.type);
    if (kind === undefined)
      throw new Error(`binding ${binding.name} has a type the emulator cannot run: ${binding.type}`);
    workerEnv[binding.name] = kind.toEnv(binding, exports, scope, script.etag);
    if (kind.client !== undefined) {
      modules[kind.client.module] = { js: kind.client.source };
      wrapped.push({ binding: binding.name, module: kind.client.module });
    }
  }
  modules[RUNTIME_MODULES.env] = { js: envSource(wrapped) };
  modules[RUNTIME_MODULES.shim] = { js: shimSource(script.mainModule, script.objectClasses) };

  return {
    compatibilityDate: script.compatibilityDate,
    // The runtime modules need AsyncLocalStorage; the flag exposes node:async_hooks and nothing else.
    compatibilityFlags: [...new Set([...script.compatibilityFlags, "nodejs_als"])],
    mainModule: RUNTIME_MODULES.shim,
    modules,
    env: workerEnv,
    // No network of its own: the egress patch sends every fetch() to the egress stub in env.
    globalOutbound: null,
  };
}
