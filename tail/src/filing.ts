import { TenantId } from "../../platform/routes";
import { TraceEvent } from "../../platform/tenant-logs";
import { configOf } from "./config";
import type { Env } from "./env";
import { logEventOf } from "./log-event";

/** The tenant's object: one per tenant id. */
export const tenantLogs = (env: Env, tenantId: string) => env.TENANT_LOGS.get(env.TENANT_LOGS.idFromName(tenantId));

/** What parses as a TraceEvent, the rest dropped (and counted in the logs). */
export function validTraceEvents(events: unknown): TraceEvent[] {
  if (!Array.isArray(events)) {
    console.error("tail: record() was given something other than an array of trace events; dropped");
    return [];
  }
  const valid: TraceEvent[] = [];
  for (const event of events) {
    const parsed = TraceEvent.safeParse(event);
    if (parsed.success) valid.push(parsed.data);
  }
  if (valid.length < events.length) {
    console.error(`tail: dropped ${events.length - valid.length} trace event(s) that are not TraceEvents`);
  }
  return valid;
}

/**
 * The events of user Workers in the platform's dispatch namespace whose
 * script name is a tenant id, by tenant. The dispatcher's own events (no
 * namespace) and any other namespace's are not the tenants' to see.
 */
export function byTenant(events: readonly TraceEvent[], namespace: string): Map<string, TraceEvent[]> {
  const tenants = new Map<string, TraceEvent[]>();
  for (const event of events) {
    if (event.dispatchNamespace !== namespace || !TenantId.safeParse(event.scriptName).success) continue;
    const list = tenants.get(event.scriptName);
    if (list === undefined) tenants.set(event.scriptName, [event]);
    else list.push(event);
  }
  return tenants;
}

/**
 * Files trace events: each tenant's, as LogEvents, in one call to its own
 * object. Never rejects: a tenant whose object fails is logged, and the
 * others' events are filed all the same.
 */
export async function fileEvents(env: Env, events: readonly TraceEvent[]): Promise<void> {
  const { namespace } = configOf(env);
  const tenants = [...byTenant(events, namespace)];
  const results = await Promise.allSettled(
    tenants.map(([tenantId, list]) => tenantLogs(env, tenantId).append(list.map(logEventOf))),
  );
  results.forEach((result, index) => {
    if (result.status === "rejected") {
      const [tenantId, list] = tenants[index] ?? ["?", []];
      console.error(`tail: could not file ${list.length} event(s) of tenant ${tenantId}:`, result.reason);
    }
  });
}
