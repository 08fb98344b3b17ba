import { ScriptName } from "../../../cloudflare-api/names";
import { RouteRecord, routeKey, tenantHostname } from "../../../platform/routes";
import type { Env } from "../env";
import type { TenantRow } from "../registry/rows";

/** Every hostname a tenant answers on: its own `<id>.<platform domain>` first, then its custom ones. */
export function allHostnames(tenantId: string, platformDomain: string, custom: readonly string[]): string[] {
  const own = tenantHostname(tenantId, platformDomain);
  return [own, ...custom.filter((hostname) => hostname !== own)];
}

/** Writes the tenant's route under each of its hostnames (a put is idempotent, so a retried step is harmless). */
export async function writeRoutes(
  routes: Env["ROUTES"],
  tenant: TenantRow,
  hostnames: readonly string[],
): Promise<void> {
  const record = JSON.stringify(
    RouteRecord.parse({
      tenantId: tenant.id,
      scriptName: ScriptName.parse(tenant.script_name),
      plan: tenant.plan,
      status: tenant.suspended ? "suspended" : "active",
    }),
  );
  await Promise.all(hostnames.map((hostname) => routes.put(routeKey(hostname), record)));
}

export async function deleteRoutes(routes: Env["ROUTES"], hostnames: readonly string[]): Promise<void> {
  await Promise.all(hostnames.map((hostname) => routes.delete(routeKey(hostname))));
}
