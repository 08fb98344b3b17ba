import type { RunScope } from "../bindings/kind";
import { emulatorConfig } from "../config";
import { runnerUrlFor } from "../dispatch/runner-client";
import type { Env } from "../env";
import { RUNNER_PURGE_PATH, RUNNER_REDEPLOY_PATH } from "../runner/protocol";
import { hostName } from "./address";
import type { TenantObjects } from "./tenant-objects";

/**
 * What the store tells the host of a script's objects. The host lives where
 * the script's code runs: here, or in the script's runner, which is asked over
 * HTTP. Both orders are ones the host also catches up with by itself, should
 * they not reach it (host.ts `#adopt`, and a caller of a version it does not know).
 */
async function tellHost(
  env: Env,
  scope: RunScope,
  order: { path: string; body: unknown; here: (host: DurableObjectStub<TenantObjects>) => Promise<void> },
): Promise<void> {
  const runners = emulatorConfig(env).RUNNER_URLS;
  if (runners.length === 0) {
    await order.here(env.TENANT_OBJECTS.get(env.TENANT_OBJECTS.idFromName(hostName(scope))));
    return;
  }
  const runner = runnerUrlFor(runners, scope);
  const response = await fetch(new URL(order.path, runner), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(order.body),
  });
  if (!response.ok) throw new Error(`the tenant runner at ${runner} answered ${response.status} to ${order.path}`);
}

/** Deletes a script's objects' storage: of the given namespaces (classes a migration deleted) or all (the script was deleted). */
export const purgeObjects = (env: Env, scope: RunScope, namespaces: string[] | "all"): Promise<void> =>
  tellHost(env, scope, {
    path: RUNNER_PURGE_PATH,
    body: { scope, namespaces },
    here: async (host) => host.purge(namespaces),
  });

/** The script has a new deployment: its objects take the versions it gives them at their next call. */
export const redeployObjects = (env: Env, scope: RunScope): Promise<void> =>
  tellHost(env, scope, { path: RUNNER_REDEPLOY_PATH, body: { scope }, here: async (host) => host.redeployed() });
