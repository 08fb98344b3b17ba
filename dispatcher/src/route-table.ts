import { normalizeHostname } from "../../platform/hostnames";
import { RouteRecord, routeKey } from "../../platform/routes";

/** A record in the routing table that is not a route: the control plane wrote something this dispatcher cannot use. */
export class InvalidRouteError extends Error {
  override readonly name = "InvalidRouteError";
}

/** Reads one hostname's route from the routing table (KV), or null when it has none. */
export async function readRoute(routes: KVNamespace, hostname: string): Promise<RouteRecord | null> {
  // The URL parser takes hostnames the table cannot key (empty, as of `Host: .`, or past 253
  // characters): no route can name one, so it has none, and the client gets a 404, not a 500.
  if (normalizeHostname(hostname) === null) return null;
  const key = routeKey(hostname);
  const stored = await routes.get(key, "json");
  if (stored === null) return null;
  const parsed = RouteRecord.safeParse(stored);
  if (!parsed.success) {
    throw new InvalidRouteError(`routing table entry ${key} is not a route: ${parsed.error.issues[0]?.message}`);
  }
  return parsed.data;
}
