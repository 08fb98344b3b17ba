import type { OutboundParams } from "../../platform/outbound";
import { planOf } from "../../platform/plans";
import type { RouteRecord } from "../../platform/routes";

/**
 * The third argument of `DISPATCHER.get()` for a route, as Cloudflare
 * documents it: `limits` with `cpuMs` and `subRequests` from the tenant's
 * plan, and `outbound`, the parameters the outbound Worker gets.
 */
export function dispatchOptions(route: RouteRecord): DynamicDispatchOptions {
  const { cpuMs, subRequests } = planOf(route.plan);
  const outbound: OutboundParams = { tenantId: route.tenantId, plan: route.plan };
  return { limits: { cpuMs, subRequests }, outbound };
}
