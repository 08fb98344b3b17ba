import type { Exports } from "../bindings/kind";
import { loadedWorkersOf } from "../dispatch/loaded-workers";
import { runLoaded } from "../dispatch/run-loaded";
import type { ScriptForRunner } from "../dispatch/runner-support";
import { assembleWorkerCode } from "../dispatch/worker-code";
import { runnerConfig } from "./config";
import type { RunnerEnv } from "./env";
import { forwardingEntrypoints } from "./forwarding";
import { RUNNER_HEALTH_PATH } from "./health";
import { health, startRequest } from "./in-flight";
import { RUN_HEADER, RUNNER_FAILURE_HEADER, RunOrder } from "./protocol";

export { TenantEgress } from "../dispatch/egress";
export const { TenantKv, TenantR2Bucket, TenantD1, TenantAnalytics } = forwardingEntrypoints;

/** The runner's own failure: a status and header no tenant response is taken for (a tenant's header is dropped). */
const failure = (message: string) =>
  Response.json({ message }, { status: 500, headers: { [RUNNER_FAILURE_HEADER]: "1" } });

function readOrder(request: Request): RunOrder | null {
  const raw = request.headers.get(RUN_HEADER);
  if (raw === null) return null;
  try {
    const parsed = RunOrder.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/** The tenant's response, without the header that would make it read as the runner's failure. */
function tenantResponse(response: Response): Response {
  if (!response.headers.has(RUNNER_FAILURE_HEADER) || response.webSocket) return response;
  const cleaned = new Response(response.body, response);
  cleaned.headers.delete(RUNNER_FAILURE_HEADER);
  return cleaned;
}

async function run(order: RunOrder, request: Request, env: RunnerEnv, exports: Exports): Promise<Response> {
  const tenantRequest = new Request(order.url, request);
  tenantRequest.headers.delete(RUN_HEADER);
  if (order.acceptEncoding === null) tenantRequest.headers.delete("accept-encoding");
  else tenantRequest.headers.set("accept-encoding", order.acceptEncoding);
  const done = startRequest(order.cpuMs);
  try {
    const response = await runLoaded(
      {
        ...order,
        loader: env.LOADER,
        loaded: loadedWorkersOf(runnerConfig(env)),
        exports,
        code: async (egress) => {
          // RPC's types turn the bindings' open records into never; the value is the emulator's ScriptForRunner.
          const script = (await env.EMULATOR.script(order.scope)) as unknown as ScriptForRunner | null;
          if (script === null) throw new Error("Worker not found");
          return assembleWorkerCode(script.modules, exports, order.scope, script.runnable, egress);
        },
      },
      tenantRequest,
    );
    return tenantResponse(response);
  } catch (error) {
    return failure(error instanceof Error ? error.message : String(error));
  } finally {
    done();
  }
}

/**
 * A tenant runner: runs tenants' code that the emulator hands it (dispatch/runner-client.ts), in a process
 * of its own, watched by scripts/runner-dev.ts. Its health path is answered on the thread tenants' code
 * runs on, so its silence tells the supervisor that thread is held.
 */
export default {
  fetch(request, env, ctx) {
    if (new URL(request.url).pathname === RUNNER_HEALTH_PATH && !request.headers.has(RUN_HEADER)) {
      return Response.json(health());
    }
    const order = readOrder(request);
    if (order === null) return new Response("not a run order", { status: 400 });
    return run(order, request, env, ctx.exports as unknown as Exports);
  },
} satisfies ExportedHandler<RunnerEnv>;
