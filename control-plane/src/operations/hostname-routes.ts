import type { RouteRecord } from "../../../platform/routes";
import { isCustomHostname } from "../custom-hostnames/view";
import { customHostnameRows } from "../registry/custom-hostnames";
import { writeRoutes } from "../routing/routing-table";
import type { StepContext } from "./context";

/**
 * Writes the tenant's record under its hostnames; a custom hostname not live yet gets it
 * `pending` (the dispatcher says the domain is being set up, and runs nothing) until the
 * hostname checks see it active. A suspension shows as such on every hostname.
 */
export async function writeHostnameRoutes(
  context: Pick<StepContext, "env" | "config" | "tenant">,
  record: RouteRecord,
  hostnames: readonly string[],
): Promise<void> {
  const waiting = new Set(
    (await customHostnameRows(context.env.DB, context.tenant.id))
      .filter((row) => isCustomHostname(row.hostname, context.config.platformDomain) && row.live_at === null)
      .map((row) => row.hostname),
  );
  const pending: RouteRecord = record.status === "suspended" ? record : { ...record, status: "pending" };
  await writeRoutes(
    context.env.ROUTES,
    record,
    hostnames.filter((hostname) => !waiting.has(hostname)),
  );
  await writeRoutes(
    context.env.ROUTES,
    pending,
    hostnames.filter((hostname) => waiting.has(hostname)),
  );
}
