import type { Exports } from "../bindings/kind";
import { loadedWorkersOf } from "../dispatch/loaded-workers";
import { callScheduled, type LoadedRun, runLoaded } from "../dispatch/run-loaded";
import type { ScriptForRunner } from "../dispatch/runner-support";
import { assembleWorkerCode } from "../dispatch/worker-code";
import { runnerConfig } from "./config";
import type { RunnerEnv } from "./env";
import { startRequest } from "./in-flight";
import { RUN_HEADER, RUNNER_FAILURE_HEADER, RunOrder } from "./protocol";

/** The runner's own failure: a status and header no tenant response is taken for (a tenant's header is dropped). */
export const failure = (message: string) =>
  Response.json({ message }, { status: 500, headers: { [RUNNER_FAILURE_HEADER]: "1" } });

/** The order the emulator put on the request (its RUN_HEADER), or null if it is not one. */
export function readOrder(raw: string): RunOrder | null {
  try {
    const parsed = RunOrder.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The request as the tenant is to see it: its own URL and Accept-Encoding, without the order. */
function tenantRequest(order: RunOrder, request: Request): Request {
  const tenant = new Request(order.url, request);
  tenant.headers.delete(RUN_HEADER);
  if (order.acceptEncoding === null) tenant.headers.delete("accept-encoding");
  else tenant.headers.set("accept-encoding", order.acceptEncoding);
  return tenant;
}

/** The tenant's response, without the header that would make it read as the runner's failure. */
function tenantResponse(response: Response): Response {
  if (!response.headers.has(RUNNER_FAILURE_HEADER) || response.webSocket) return response;
  const cleaned = new Response(response.body, response);
  cleaned.headers.delete(RUNNER_FAILURE_HEADER);
  return cleaned;
}

/** The run of an order's script here, with the code the emulator gives and bindings that forward to it. */
const loadedRunOf = (order: RunOrder, env: RunnerEnv, exports: Exports): LoadedRun => ({
  ...order,
  loader: env.LOADER,
  loaded: loadedWorkersOf(runnerConfig(env)),
  exports,
  code: async (egress) => {
    // RPC's types turn the bindings' open records into never; the value is the emulator's ScriptForRunner.
    const script = (await env.EMULATOR.script(order.scope, order.versionId)) as unknown as ScriptForRunner | null;
    if (script === null) throw new Error("Worker not found");
    return assembleWorkerCode(script.modules, exports, order.scope, script.runnable, egress);
  },
});

/**
 * Runs one dispatched request in its script's worker, loaded here with the code the emulator gives
 * (RunnerSupport.script) and bindings that forward to the emulator (forwarding.ts), or for a Cron
 * Trigger's order its `scheduled()`, answering the outcome as JSON. What the tenant's code throws
 * comes back as the runner's failure answer, which the emulator throws again.
 */
export async function run(order: RunOrder, request: Request, env: RunnerEnv, exports: Exports): Promise<Response> {
  const done = startRequest(order.cpuMs);
  try {
    const loaded = loadedRunOf(order, env, exports);
    if (order.scheduled !== undefined) return Response.json(await callScheduled(loaded, order.scheduled));
    return tenantResponse(await runLoaded(loaded, tenantRequest(order, request)));
  } catch (error) {
    return failure(error instanceof Error ? error.message : String(error));
  } finally {
    done();
  }
}
