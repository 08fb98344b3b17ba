import { WorkerEntrypoint } from "cloudflare:workers";
import type { AccountId } from "../../../cloudflare-api/names";
import { callableMethods, isTenantBindingEntrypoint } from "../bindings/entrypoints";
import type { Exports, RunScope } from "../bindings/kind";
import type { Env } from "../env";
import type { RunnableScript } from "./runnable-script";
import { loadTenantModules, type TenantModules } from "./worker-code";

/** A script as a runner loads it: what to run, and its modules' contents. */
export interface ScriptForRunner {
  runnable: RunnableScript;
  modules: TenantModules;
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
  async script(scope: RunScope): Promise<ScriptForRunner | null> {
    const store = this.env.WORKERS_STORE.get(this.env.WORKERS_STORE.idFromName(scope.accountId as AccountId));
    const runnable = await store.getRunnableScript(scope.namespace, scope.script);
    if (runnable === null) return null;
    return { runnable, modules: await loadTenantModules(this.env.SCRIPT_MODULES, runnable) };
  }

  call(entrypoint: string, props: unknown, method: string, args: unknown[]): Promise<unknown> {
    if (!isTenantBindingEntrypoint(entrypoint) || !callableMethods(entrypoint).includes(method)) {
      throw new Error(`no binding method ${entrypoint}.${method}`);
    }
    const exports = this.ctx.exports as unknown as Exports;
    const stub = exports[entrypoint]?.({ props }) as Record<string, (...args: unknown[]) => Promise<unknown>>;
    return (stub[method] as (...args: unknown[]) => Promise<unknown>)(...args);
  }
}
