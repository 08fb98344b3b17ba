import { OpenAPIHono } from "@hono/zod-openapi";
import { ErrorBody, RequestCountsQuery, RequestCountsView } from "../../../../platform/tenants-api";
import { CloudflareApiError } from "../../cloudflare/errors";
import { configOf } from "../../config";
import { CountsShapeError, requestCounts } from "../../metrics";
import { metricsReader } from "../../metrics/reader";
import { ApiError } from "../errors";
import { jsonContent, v1Route } from "../openapi-routes";
import type { AppEnv } from "../types";

const requestCountsRoute = v1Route({
  method: "get",
  path: "/v1/metrics/requests",
  summary: "Tenants' requests and errors over a time range",
  description:
    "From the dispatcher's metering (Analytics Engine; its SQL API, read with CLOUDFLARE_ANALYTICS_API_TOKEN, or the control plane's Cloudflare token when that is not set): each tenant's requests through the dispatcher from `since` to `until` (now when absent), to the whole second, and how many were errors (an outcome other than `ok`, or a status of 500 or more). `tenants` is a comma-separated list of at most 100 tenant ids, all counted in one query; a tenant without requests (or unknown) counts 0. 502 `upstream_error` when Analytics Engine does not answer.",
  request: { query: RequestCountsQuery },
  responses: {
    200: jsonContent(RequestCountsView, "The counts, one entry per tenant asked for."),
    502: jsonContent(ErrorBody, "Analytics Engine's SQL API failed or answered out of shape: `upstream_error`."),
  },
});

export const requestMetricsRoutes = new OpenAPIHono<AppEnv>().openapi(requestCountsRoute, async (c) => {
  const query = c.req.valid("query");
  const since = new Date(query.since);
  const until = query.until === undefined ? new Date() : new Date(query.until);
  if (since >= until) throw invalidSince("must be before until (now when absent)");
  // Analytics Engine's timestamps start at 1970, and `dateTime` refuses anything earlier.
  if (since.getTime() < 0) throw invalidSince("is before 1970");
  const config = configOf(c.env);
  const counts = await requestCounts(metricsReader(c.env, config), {
    dataset: config.metricsDataset,
    tenantIds: query.tenants,
    since,
    until,
  }).catch((error: unknown) => {
    throw unavailable(error);
  });
  const tenants = query.tenants.map((tenantId) => ({
    tenantId,
    ...(counts.get(tenantId) ?? { requests: 0, errors: 0 }),
  }));
  return c.json({ since: since.toISOString(), until: until.toISOString(), tenants }, 200);
});

function invalidSince(message: string): ApiError {
  return new ApiError(400, "invalid_request", `query.since: ${message}`, [{ path: "query.since", message }]);
}

/** Analytics Engine failing is the API's 502, saying so; anything else is the control plane's own failure. */
function unavailable(error: unknown): unknown {
  if (error instanceof CloudflareApiError) {
    return new ApiError(502, "upstream_error", `Analytics Engine's SQL API did not answer: ${error.message}`);
  }
  if (error instanceof CountsShapeError) return new ApiError(502, "upstream_error", error.message);
  return error;
}
