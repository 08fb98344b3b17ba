import type { RouteRecord } from "../../platform/routes";
import { dispatchOptions } from "./dispatch-options";
import { PlatformError } from "./errors";

/** How the runtime reports a tenant's Worker that went over its plan's CPU time or subrequests. */
const LIMIT_EXCEEDED = /exceeded CPU time limit|exceeded resource limits|Too many subrequests/i;
/** How the namespace reports a script it does not have. */
const NOT_FOUND = /Worker not found/;

/**
 * What the namespace's failure means for the client. Only the namespace's own
 * messages are told apart; anything else the tenant's Worker threw is its
 * failure. (A Worker could throw those messages itself; it then gets the
 * answer it asked for, and nothing of anyone else's.)
 */
export function classifyFailure(error: unknown): PlatformError {
  const message = error instanceof Error ? error.message : String(error);
  if (NOT_FOUND.test(message)) return new PlatformError("tenant_not_deployed", { cause: error });
  if (LIMIT_EXCEEDED.test(message)) return new PlatformError("limit_exceeded", { cause: error });
  return new PlatformError("tenant_error", { cause: error });
}

/**
 * Runs `request` in the route's Worker with its plan's limits and outbound
 * parameters. `get()` answers at once, whether or not the script exists: a
 * missing script, like anything the Worker throws, surfaces from `fetch()`.
 * The Worker's own responses, 5xx included, are the client's answer.
 */
export async function dispatchToTenant(
  namespace: DispatchNamespace,
  route: RouteRecord,
  request: Request,
): Promise<Response> {
  try {
    // Awaited before fetch() is called: locally get() is an RPC returning the
    // Worker's Fetcher, and only a Fetcher's own fetch() carries a WebSocket
    // upgrade (a pipelined call would be RPC). In production it is the Fetcher.
    const worker = await namespace.get(route.scriptName, {}, dispatchOptions(route));
    return await worker.fetch(request);
  } catch (error) {
    throw classifyFailure(error);
  }
}
