import { WorkerEntrypoint } from "cloudflare:workers";
import { callableMethods, isTenantBindingEntrypoint } from "../bindings/entrypoints";
import type { Exports, RunScope } from "../bindings/kind";
import { settled } from "../bindings/settled";
import type { ObjectsDeployment } from "../durable-objects/versions";
import type { Env } from "../env";
import type { RunnableScript } from "./runnable-script";
import { loadTenantModules, type TenantModules } from "./worker-code";

/** A script as a runner loads it: what to run, and its modules' contents. */
export interface ScriptForRunner {
  runnable: RunnableScript;
  modules: TenantModules;
}

/**
 * One version of a script as stored, with its modules' contents: the version named, or
 * without one the version its Durable Objects run; null when there is no such script or version.
 */
export async function storedScript(env: Env, scope: RunScope, versionId?: string): Promise<ScriptForRunner | null> {
  const store = env.WORKERS_STORE.get(env.WORKERS_STORE.idFromName(scope.accountId));
  const runnable = await store.getRunnableScript(scope.namespace, scope.script, versionId);
  if (runnable === null) return null;
  return { runnable, modules: await loadTenantModules(env.SCRIPT_MODULES, runnable) };
}

/** An uploaded version a runner is to start once (the startup check), with the script it would run as. */
export interface StartupJob extends ScriptForRunner {
  scope: RunScope;
}

/**
 * Versions waiting for a runner to start them, by id: an upload's modules are
 * in the upload request's memory, not yet stored, and the runner asks for them
 * by the id the emulator sent it (runner-client.ts startInRunner).
 */
const startupJobs = new Map<string, StartupJob>();

/** Keeps `job` for a runner to take; the returned function forgets it. */
export function offerStartupJob(job: StartupJob): { id: string; withdraw: () => void } {
  const id = crypto.randomUUID();
  startupJobs.set(id, job);
  return { id, withdraw: () => startupJobs.delete(id) };
}

/**
 * What a runner process (src/runner) asks of the emulator, over its `EMULATOR`
 * service binding: a script's code when it loads a worker, and every call a
 * tenant makes on a KV, R2, D1 or Analytics Engine binding, which runs here,
 * beside the stores, exactly as it would for a worker the emulator runs
 * itself. Only the platform's own processes can bind it (the dev registry);
 * tenants' code holds the runner's forwarding stubs, whose props the runner set.
 */
export class RunnerSupport extends WorkerEntrypoint<Env> {
  script(scope: RunScope, versionId?: string): Promise<ScriptForRunner | null> {
    return storedScript(this.env, scope, versionId);
  }

  /** Which versions the script's Durable Objects run (durable-objects/versions.ts), for the runner's host. */
  objectsDeployment(scope: RunScope): Promise<ObjectsDeployment | null> {
    const store = this.env.WORKERS_STORE.get(this.env.WORKERS_STORE.idFromName(scope.accountId));
    return store.getObjectsDeployment(scope.namespace, scope.script);
  }

  startupJob(id: string): StartupJob | null {
    return startupJobs.get(id) ?? null;
  }

  /**
   * A binding call, as `exports[entrypoint]({ props })[method](...args)`. Only the binding
   * entrypoints' own methods: a runner's forwarding stubs have no others, so anything else is
   * refused, in the binding's answer shape (settled.ts), as data rather than a throw across RPC.
   */
  async call(entrypoint: string, props: unknown, method: string, args: unknown[]): Promise<unknown> {
    if (!isTenantBindingEntrypoint(entrypoint) || !callableMethods(entrypoint).includes(method)) {
      return settled(() => Promise.reject(new Error(`no binding method ${entrypoint}.${method}`)));
    }
    const exports = this.ctx.exports as unknown as Exports;
    const stub = exports[entrypoint]?.({ props }) as Record<string, (...args: unknown[]) => Promise<unknown>>;
    return (stub[method] as (...args: unknown[]) => Promise<unknown>)(...args);
  }
}
