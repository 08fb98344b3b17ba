import { type DispatcherConfig, parseConfig } from "./config";
import { dispatchToTenant } from "./dispatch";
import type { Env } from "./env";
import { type ErrorCode, errorResponse, PlatformError } from "./errors";
import { type Outcome, RequestMeter } from "./metering";
import { RouteCache } from "./route-cache";
import { readRoute } from "./route-table";
import { resolveTarget } from "./routing";
import { carriesForbiddenBody, isBodiless, newRequestId, tenantRequest, withRequestId } from "./tenant-request";
import { versionRouting } from "./versions";

export type Dispatcher = (request: Request, ctx: ExecutionContext) => Promise<Response>;

/**
 * A tenant's failures are logged by request id alone: what its Worker threw
 * may hold its secrets, and is for its own logs. The platform's own failures
 * are logged whole.
 */
function logFailure(requestId: string, code: ErrorCode, error: unknown): void {
  if (code === "platform_error") console.error(`request ${requestId}: platform_error:`, error);
  else if (code === "tenant_error" || code === "limit_exceeded") console.error(`request ${requestId}: ${code}`);
}

function healthResponse(request: Request): Response {
  if (request.method !== "GET" && request.method !== "HEAD") throw new PlatformError("method_not_allowed");
  return Response.json({ ok: true, service: "wfp-dispatcher" });
}

/**
 * The dispatcher for one set of bindings and vars, with its own route cache:
 * routes the request, refuses it or hands it to the tenant's Worker, and
 * meters it. Every answer carries the request id. `now` is the route cache's
 * clock (its TTLs): the wall clock, or a test's own.
 */
export function createDispatcher(
  env: Env,
  config: DispatcherConfig = parseConfig(env),
  now: () => number = Date.now,
): Dispatcher {
  const routes = new RouteCache(
    (hostname) => readRoute(env.ROUTES, hostname),
    { routeMs: config.routeCacheTtlMs, missMs: config.routeCacheMissTtlMs },
    config.routeCacheMaxEntries,
    now,
  );

  /** Routes and runs the request; `answer.setCookie` is what the response must set (version affinity). */
  async function route(
    request: Request,
    url: URL,
    meter: RequestMeter,
    requestId: string,
    answer: { setCookie: string | null },
  ): Promise<Response> {
    if (await carriesForbiddenBody(request)) throw new PlatformError("body_not_allowed");
    const target = resolveTarget(url, config);
    if (target.kind === "health") return healthResponse(request);
    if (target.kind === "platform") throw new PlatformError("tenant_not_found");
    const found = await routes.lookup(target.hostname);
    if (found === null) throw new PlatformError("tenant_not_found");
    meter.routedTo(found);
    if (found.status === "suspended") throw new PlatformError("tenant_suspended");
    if (found.status === "pending") throw new PlatformError("hostname_pending");
    const body = isBodiless(request.method) ? null : meter.countRequestBody(request);
    const versions = versionRouting(found, request);
    answer.setCookie = versions.setCookie;
    const forwarded = tenantRequest(request, target.url, body, found.tenantId, requestId, versions.headers);
    return dispatchToTenant(env.DISPATCHER, found, forwarded);
  }

  return async (request, ctx) => {
    const requestId = newRequestId();
    const url = new URL(request.url);
    const meter = new RequestMeter(env.METRICS, ctx, {
      requestId,
      method: request.method,
      hostname: url.hostname,
      startedAt: Date.now(),
    });
    let response: Response;
    let outcome: Outcome = "ok";
    const answer = { setCookie: null as string | null };
    try {
      response = await route(request, url, meter, requestId, answer);
    } catch (error) {
      const code = error instanceof PlatformError ? error.code : "platform_error";
      logFailure(requestId, code, error);
      outcome = code;
      response = errorResponse(code, requestId, request.headers.get("accept"));
    }
    return withRequestId(response, requestId, meter.countResponseBody(response, outcome), answer.setCookie);
  };
}
