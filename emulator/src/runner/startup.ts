import type { Exports } from "../bindings/kind";
import type { StartupJob } from "../dispatch/runner-support";
import { startOnce } from "../dispatch/startup-check";
import type { RunnerEnv } from "./env";
import { startRequest } from "./in-flight";
import { StartupOrder } from "./protocol";

/**
 * Starts an uploaded version once, for the emulator's startup check: the version's code comes from the
 * emulator by the order's id. Its top level runs on this runner's thread, where the supervisor sees it.
 */
export async function startup(request: Request, env: RunnerEnv, exports: Exports): Promise<Response> {
  const order = StartupOrder.safeParse(await request.json().catch(() => null));
  if (!order.success) return new Response("not a startup order", { status: 400 });
  // RPC's types turn the bindings' open records into never; the value is the emulator's StartupJob.
  const job = (await env.EMULATOR.startupJob(order.data.id)) as unknown as StartupJob | null;
  if (job === null) return new Response("no such startup job", { status: 404 });
  const done = startRequest(undefined);
  try {
    return Response.json(await startOnce(env.LOADER, job.modules, exports, job.scope, job.runnable));
  } finally {
    done();
  }
}
