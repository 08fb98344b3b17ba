import type { Exports } from "../bindings/kind";
import { hostName } from "../durable-objects/address";
import type { RunnerEnv } from "./env";
import { forwardingEntrypoints } from "./forwarding";
import { RUNNER_HEALTH_PATH } from "./health";
import { health } from "./in-flight";
import {
  PurgeOrder,
  RedeployOrder,
  RUN_HEADER,
  RUNNER_PURGE_PATH,
  RUNNER_REDEPLOY_PATH,
  RUNNER_STARTUP_PATH,
} from "./protocol";
import { failure, readOrder, run } from "./run";
import { startup } from "./startup";

export { TenantEgress } from "../dispatch/egress";
export { TenantTail } from "../dispatch/tail";
export { TenantDurableObjects } from "../durable-objects/entrypoint";
export { TenantObjects } from "./tenant-objects";
export const { TenantKv, TenantR2Bucket, TenantD1, TenantAnalytics, TenantAssets } = forwardingEntrypoints;

/** Deletes a script's objects' storage in this runner's hosts, as the emulator asks (durable-objects/purge.ts). */
async function purge(request: Request, env: RunnerEnv): Promise<Response> {
  const order = PurgeOrder.safeParse(await request.json().catch(() => null));
  if (!order.success) return new Response("not a purge order", { status: 400 });
  const { scope, namespaces } = order.data;
  await env.TENANT_OBJECTS.get(env.TENANT_OBJECTS.idFromName(hostName(scope))).purge(namespaces);
  return new Response(null, { status: 204 });
}

/** Has a script's objects in this runner take their versions afresh, as the emulator asks (durable-objects/purge.ts). */
async function redeploy(request: Request, env: RunnerEnv): Promise<Response> {
  const order = RedeployOrder.safeParse(await request.json().catch(() => null));
  if (!order.success) return new Response("not a redeploy order", { status: 400 });
  await env.TENANT_OBJECTS.get(env.TENANT_OBJECTS.idFromName(hostName(order.data.scope))).redeployed();
  return new Response(null, { status: 204 });
}

/**
 * A tenant runner: runs the tenants' code the emulator hands it (dispatch/runner-client.ts) in a process
 * of its own, watched by scripts/runner-dev.ts. Every request to it carries a run order, but for its own
 * two paths: health, answered on the thread tenants' code runs on, so that its silence tells the
 * supervisor that thread is held; and startup, the emulator's startup check of an upload.
 */
export default {
  fetch(request, env, ctx) {
    const exports = ctx.exports as unknown as Exports;
    const raw = request.headers.get(RUN_HEADER);
    if (raw !== null) {
      const order = readOrder(raw);
      return order === null
        ? failure("the runner was sent a run order it cannot read")
        : run(order, request, env, exports);
    }
    const { pathname } = new URL(request.url);
    if (pathname === RUNNER_HEALTH_PATH) return Response.json(health());
    if (pathname === RUNNER_STARTUP_PATH && request.method === "POST") return startup(request, env, exports);
    if (pathname === RUNNER_PURGE_PATH && request.method === "POST") return purge(request, env);
    if (pathname === RUNNER_REDEPLOY_PATH && request.method === "POST") return redeploy(request, env);
    return new Response("not a run order", { status: 404 });
  },
} satisfies ExportedHandler<RunnerEnv>;
