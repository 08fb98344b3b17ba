import type { RunScope } from "../bindings/kind";
import { emulatorConfig } from "../config";
import { runnerUrlFor } from "../dispatch/runner-client";
import type { Env } from "../env";
import { RUNNER_PURGE_PATH } from "../runner/protocol";
import { hostName } from "./address";

/**
 * Deletes a script's objects' storage: of the given namespaces (classes a
 * migration deleted) or all (the script was deleted). The host lives where the
 * script's code runs: here, or in the script's runner, which is asked over
 * HTTP. The host also catches up by itself the next time it runs (host.ts
 * `#adopt`), should this not reach it.
 */
export async function purgeObjects(env: Env, scope: RunScope, namespaces: string[] | "all"): Promise<void> {
  const runners = emulatorConfig(env).RUNNER_URLS;
  if (runners.length === 0) {
    await env.TENANT_OBJECTS.get(env.TENANT_OBJECTS.idFromName(hostName(scope))).purge(namespaces);
    return;
  }
  const runner = runnerUrlFor(runners, scope);
  const response = await fetch(new URL(RUNNER_PURGE_PATH, runner), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ scope, namespaces }),
  });
  if (!response.ok) throw new Error(`the tenant runner at ${runner} answered ${response.status} to a purge`);
}
