import { type AssetsRoute, navigationPrefersAssets } from "../assets/router";
import type { Exports, RunScope } from "../bindings/kind";
import { emulatorConfig } from "../config";
import type { Env } from "../env";
import type { RunOrder } from "../runner/protocol";
import { pickRunnable } from "../scripts/deployed-script";
import type { VersionChoice } from "../scripts/version-choice";
import { cachedDeployment } from "./deployed-cache";
import type { DispatchOptions } from "./dispatch-types";
import { loadedWorkersOf } from "./loaded-workers";
import type { LoadedRun } from "./run-loaded";
import { assembleWorkerCode, loadTenantModules } from "./worker-code";

/** How one call into a script is to run: which version, with which outbound, tail and limits. */
export interface RunSettings {
  scope: RunScope;
  choice: VersionChoice;
  /** Parameters for the outbound worker, or null when there is none (subrequests go out directly). */
  outboundParams: Record<string, unknown> | null;
  tail: boolean;
  limits?: DispatchOptions["limits"];
}

/** The order a runner is sent (all but what the call itself carries), and where runners are (none: run here). */
export interface RunPlan {
  order: Omit<RunOrder, "url" | "acceptEncoding">;
  runnerUrls: readonly string[];
  /** The run in the emulator's own process, when there are no runners. */
  local: LoadedRun;
  /** The version's static assets, which a request may be answered from without running the Worker. */
  assets: AssetsRoute | undefined;
  /** False for an assets-only Worker: it has no code to run. */
  hasCode: boolean;
}

/**
 * Chooses the version a call runs (the active deployment's, version-choice.ts, as the store last
 * gave it: deployed-cache.ts) and plans its run,
 * whether the call is a dispatched request or a Cron Trigger; a missing script fails with
 * production's "Worker not found".
 */
export async function planRun(env: Env, exports: Exports, settings: RunSettings): Promise<RunPlan> {
  const { scope, choice, outboundParams, tail, limits } = settings;
  const deployed = await cachedDeployment(scope.accountId, scope.namespace, scope.script, () =>
    env.WORKERS_STORE.get(env.WORKERS_STORE.idFromName(scope.accountId)).deployedScript(scope.namespace, scope.script),
  );
  const chosen = deployed === null ? null : pickRunnable(deployed, choice);
  if (chosen === null) throw new Error("Worker not found");
  const { runnable, versionId, deployedEtags } = chosen;
  const order: RunPlan["order"] = {
    scope,
    etag: runnable.etag,
    versionId,
    deployedEtags,
    outboundParams,
    tail,
    subrequestLimit: limits?.subRequests ?? runnable.limits?.subrequests,
    cpuMs: limits?.cpuMs ?? runnable.limits?.cpu_ms,
  };
  const config = emulatorConfig(env);
  const local: LoadedRun = {
    ...order,
    loader: env.LOADER,
    loaded: loadedWorkersOf(config),
    exports,
    code: async (egress) =>
      assembleWorkerCode(await loadTenantModules(env.SCRIPT_MODULES, runnable), exports, scope, runnable, egress),
  };
  const { assets } = runnable;
  return {
    order,
    runnerUrls: config.RUNNER_URLS,
    local,
    hasCode: runnable.mainModule !== null,
    assets:
      assets === undefined
        ? undefined
        : {
            accountId: scope.accountId,
            ...assets,
            navigationPrefersAssets: navigationPrefersAssets(runnable.compatibilityDate, runnable.compatibilityFlags),
          },
  };
}
