import { RouteRecord, routeKey } from "../../platform/routes";

/** A record in the routing table that is not a route: the control plane wrote something this dispatcher cannot use. */
export class InvalidRouteError extends Error {
  override readonly name = "InvalidRouteError";
}

/** Reads one hostname's route from the routing table (KV), or null when it has none. */
export async function readRoute(routes: KVNamespace, hostname: string): Promise<RouteRecord | null> {
  const key = routeKey(hostname);
  const stored = await routes.get(key, "json");
  if (stored === null) return null;
  const parsed = RouteRecord.safeParse(stored);
  if (!parsed.success) {
    throw new InvalidRouteError(`routing table entry ${key} is not a route: ${parsed.error.issues[0]?.message}`);
  }
  return parsed.data;
}
