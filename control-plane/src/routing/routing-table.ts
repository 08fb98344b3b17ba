import { ScriptName } from "../../../cloudflare-api/names";
import type { PlanName } from "../../../platform/plans";
import { RouteRecord, routeKey, tenantHostname } from "../../../platform/routes";
import type { Env } from "../env";
import type { TenantRow } from "../registry/rows";

/** Every hostname a tenant answers on: its own `<id>.<platform domain>` first, then its custom ones. */
export function allHostnames(tenantId: string, platformDomain: string, custom: readonly string[]): string[] {
  const own = tenantHostname(tenantId, platformDomain);
  return [own, ...custom.filter((hostname) => hostname !== own)];
}

/** Whether a deployment shares the traffic between two versions (one at 0% only answers its preview). */
export const splitsTraffic = (deployment: TenantRow["deployment"]): boolean =>
  deployment.filter((version) => version.percentage > 0).length > 1;

/** What the dispatcher reads for each of the tenant's hostnames. */
export function routeRecordOf(
  tenant: Pick<TenantRow, "id" | "script_name" | "deployment">,
  settings: { plan: PlanName; suspended: boolean },
): RouteRecord {
  return RouteRecord.parse({
    tenantId: tenant.id,
    scriptName: ScriptName.parse(tenant.script_name),
    plan: settings.plan,
    status: settings.suspended ? "suspended" : "active",
    ...(splitsTraffic(tenant.deployment) ? { split: true } : {}),
  });
}

/** Writes the record under each hostname (a put is idempotent, so a retried step is harmless). */
export async function writeRoutes(routes: Env["ROUTES"], record: RouteRecord, hostnames: readonly string[]) {
  const value = JSON.stringify(record);
  await Promise.all(hostnames.map((hostname) => routes.put(routeKey(hostname), value)));
}

/**
 * Deletes the tenant's routes under these hostnames, leaving any that name
 * another tenant: a late operation of one tenant must never undo a route
 * another tenant was given since. (The registry keeps a hostname its owner's
 * until this has run, so in the platform's own order the check never finds
 * another tenant; it guards against a route written out of that order.)
 */
export async function deleteOwnRoutes(routes: Env["ROUTES"], tenantId: string, hostnames: readonly string[]) {
  await Promise.all(
    hostnames.map(async (hostname) => {
      const key = routeKey(hostname);
      const owner = ownerOf(await routes.get(key, "text"));
      if (owner !== null && owner !== tenantId) return;
      await routes.delete(key);
    }),
  );
}

/** The tenant a stored route names, or null for none (or for a value that is not a route). */
function ownerOf(value: string | null): string | null {
  if (value === null) return null;
  try {
    const record = RouteRecord.safeParse(JSON.parse(value));
    return record.success ? record.data.tenantId : null;
  } catch {
    return null;
  }
}
