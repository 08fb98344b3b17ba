import type { WorkerEntrypoint } from "cloudflare:workers";
import type { Exports, RunScope } from "../bindings/kind";
import { emulatorConfig } from "../config";
import type { Env } from "../env";
import type { StartupOutcome } from "../runner/protocol";
import { failure, objectClassNotExported, success, validationFailed, type WorkersResult } from "../scripts/errors";
import type { ModuleUpload } from "../scripts/modules";
import type { RunnableScript } from "./runnable-script";
import { startInRunner } from "./runner-client";
import { HANDLER_NAMES, RUNTIME_MODULES, UNEXPORTED_CLASSES } from "./shim";
import { assembleWorkerCode, loadTenantModules, type TenantModules } from "./worker-code";

/*
 * Production limits the CPU time a script's top level may use when it starts
 * (1 s). workerd does not enforce it (nor `limits.cpuMs`) for Worker Loader
 * isolates, so the emulator measures the start's wall-clock time instead,
 * against its STARTUP_LIMIT_MS var (config.ts; production's 1 s by default).
 * Wall-clock time counts whatever else the machine is doing, so tests, which
 * upload on a loaded machine, give the emulator a generous limit.
 */

/** How the start is timed: the limit, and the clock read before the load and after the top level has run. */
export type StartupTiming = { readonly limitMs: number; readonly now?: () => number };

/** Production's message when the top level runs past the startup limit (code 10021), as wrangler prints it. */
export const STARTUP_CPU_EXCEEDED = "Error: Script startup exceeded CPU time limit.";

/** What workerd puts before the runtime's own text when a loaded worker fails to start. */
const FAILED_TO_START = "Failed to start Worker:\n";

const STARTUP_MODULE = `${RUNTIME_MODULES.shim.replace(/\.js$/, "")}_startup.js`;
const STARTUP_ENTRYPOINT = "__WfpStartup";

/**
 * The check's main module: importing the shim evaluates everything dispatch
 * would (the tenant's modules, the emulator's runtime modules, the shim), and
 * `started()` is the call that forces that evaluation; it answers the declared
 * Durable Object classes the tenant's main module does not export, and the
 * handlers of its default export.
 */
const startupModule = `import { WorkerEntrypoint } from "cloudflare:workers";
import { ${UNEXPORTED_CLASSES}, ${HANDLER_NAMES} } from "./${RUNTIME_MODULES.shim}";
export class ${STARTUP_ENTRYPOINT} extends WorkerEntrypoint {
  started() { return { unexported: ${UNEXPORTED_CLASSES}, handlers: ${HANDLER_NAMES} }; }
}
`;

type StartupProbe = WorkerEntrypoint & { started(): Promise<{ unexported: string[]; handlers: string[] }> };

/** A version that started: its default export's handlers, and how long its start took (wall-clock). */
export interface StartedVersion {
  handlers: string[];
  startupMs: number;
}

/**
 * The new version's bodies, read the way stored ones are read (loadTenantModules):
 * the check runs before anything is written to SCRIPT_MODULES, so the upload
 * itself stands in for the bucket.
 */
function uploadedBodies(script: RunnableScript, uploaded: readonly ModuleUpload[]): R2Bucket {
  const byKey = new Map(script.modules.map((m) => [m.r2Key, uploaded.find((u) => u.name === m.name)?.body]));
  return {
    get: async (key: string) => {
      const body = byKey.get(key);
      return body === undefined ? null : new Response(body);
    },
  } as unknown as R2Bucket;
}

/** The runtime's own text ("Uncaught SyntaxError: …\n  at index.js:3:1"), as production reports it. */
function startupFailure(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.startsWith(FAILED_TO_START) ? message.slice(FAILED_TO_START.length) : message;
}

/**
 * Starts a version once in `loader`, in whichever process runs tenants' code:
 * its modules, with the env dispatch would give it (binding stubs from
 * `exports`), since top-level code may read `env` from "cloudflare:workers".
 *
 * The worker is loaded with `load()`, not `get(name)`: the loader caches a
 * named worker until its isolate aborts, but forgets an unnamed one as soon as
 * its stub is dropped, so nothing lingers, whether the start failed or not,
 * and no abortIsolate() is needed. Reusing it for dispatch instead would need
 * the dispatch path's name, which depends on the caller's outbound parameters
 * that an upload does not know.
 */
export async function startOnce(
  loader: WorkerLoader,
  modules: TenantModules,
  exports: Exports,
  scope: RunScope,
  script: RunnableScript,
  now: () => number = Date.now,
): Promise<StartupOutcome> {
  const egress = exports.TenantEgress?.({ props: { outboundParams: null } }) as Fetcher;
  const code = assembleWorkerCode(modules, exports, scope, script, egress);
  code.modules[STARTUP_MODULE] = { js: startupModule };
  const startedAt = now();
  let started: { unexported: string[]; handlers: string[] };
  try {
    // load() itself refuses what workerd cannot configure (an unknown compatibility flag or a future date).
    const worker = loader.load({ ...code, mainModule: STARTUP_MODULE });
    started = await worker.getEntrypoint<StartupProbe>(STARTUP_ENTRYPOINT).started();
  } catch (error) {
    return { failure: startupFailure(error), elapsedMs: now() - startedAt, unexportedClass: null, handlers: [] };
  }
  const elapsedMs = now() - startedAt;
  return { failure: null, elapsedMs, unexportedClass: started.unexported[0] ?? null, handlers: started.handlers };
}

/**
 * Starts a new version once in workerd, as Cloudflare does at upload, and
 * answers production's 10021 refusal if it does not start: a syntax error, an
 * import of a module that is not in the upload, a top-level throw, I/O at
 * global scope, an unknown compatibility flag, a declared Durable Object class
 * the main module does not export (10061), or a start slower than the
 * limit (`timing`: the STARTUP_LIMIT_MS var and the wall clock by default).
 * Cost: one isolate start per upload.
 *
 * With runner processes (RUNNER_URLS), the start runs in the runner that would
 * run the script, so a top level that never ends holds that runner, not the
 * emulator: its supervisor ends it, and the upload is refused as one whose
 * start ran past the limit. Without, it runs here, and such a top level holds
 * the emulator until it ends (workerd runs every isolate on one thread).
 */
export async function checkStartup(
  env: Env,
  exports: Exports,
  scope: RunScope,
  script: RunnableScript,
  uploaded: readonly ModuleUpload[],
  { limitMs, now = Date.now }: StartupTiming = { limitMs: emulatorConfig(env).STARTUP_LIMIT_MS },
): Promise<WorkersResult<StartedVersion>> {
  const modules = await loadTenantModules(uploadedBodies(script, uploaded), script);
  const runners = emulatorConfig(env).RUNNER_URLS;
  const outcome =
    runners.length > 0
      ? await startInRunner(runners, { modules, runnable: script, scope })
      : await startOnce(env.LOADER, modules, exports, scope, script, now);
  if (outcome === "ended") return failure(validationFailed(STARTUP_CPU_EXCEEDED));
  if (outcome.failure !== null) return failure(validationFailed(outcome.failure));
  if (outcome.unexportedClass !== null) return failure(objectClassNotExported(outcome.unexportedClass));
  if (outcome.elapsedMs > limitMs) return failure(validationFailed(STARTUP_CPU_EXCEEDED));
  return success({ handlers: outcome.handlers, startupMs: Math.round(outcome.elapsedMs) });
}

/** A worker with nothing in it, to ask workerd whether it can configure a compatibility date and flags. */
const EMPTY_WORKER = "export default { fetch: () => new Response(null) };";

/**
 * Whether workerd can run a worker at `date` with `flags`: the refusal (10021, the runtime's text, as an
 * upload with them gets) for an unknown flag or a future date. For a settings PATCH, which runs the
 * script's code again with them; the code itself is not started again (emulator/README.md).
 */
export async function checkCompatibility(
  loader: WorkerLoader,
  date: string,
  flags: readonly string[],
): Promise<WorkersResult<null>> {
  try {
    const worker = loader.load({
      compatibilityDate: date,
      compatibilityFlags: [...flags],
      mainModule: "check.js",
      modules: { "check.js": EMPTY_WORKER },
      globalOutbound: null,
    });
    await worker.getEntrypoint().fetch("http://compatibility.check/");
  } catch (error) {
    return failure(validationFailed(startupFailure(error)));
  }
  return success(null);
}
