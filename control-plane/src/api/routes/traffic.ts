import { OpenAPIHono } from "@hono/zod-openapi";
import type { TenantId } from "../../../../platform/routes";
import {
  MAX_TRAFFIC_BUCKETS,
  resolveTrafficWindow,
  TenantTraffic,
  TrafficQuery,
} from "../../../../platform/tenant-traffic";
import { ErrorBody } from "../../../../platform/tenants-api";
import { CloudflareApiError } from "../../cloudflare/errors";
import { configOf } from "../../config";
import { metricsReader } from "../../metrics/reader";
import { TrafficShapeError, tenantTraffic } from "../../metrics/traffic";
import { getTenant } from "../../registry/tenants";
import { ApiError } from "../errors";
import { jsonContent, notFoundError, v1Route } from "../openapi-routes";
import type { AppEnv } from "../types";
import { TenantParams } from "./tenants";

const trafficRoute = v1Route({
  method: "get",
  path: "/v1/tenants/{id}/traffic",
  summary: "A tenant's traffic over time",
  description: [
    "From the dispatcher's metering (Analytics Engine's SQL API, read with CLOUDFLARE_ANALYTICS_API_TOKEN, or the control plane's Cloudflare token when that is not set): the tenant's requests through the dispatcher in buckets of `step` seconds, from `since` (a duration before `until`, such as `30m`, `1h`, `7d`, or an ISO 8601 time; `1h` when absent) to `until` (now when absent).",
    "Each bucket has its requests, their status classes, the errors among them (the dispatcher's own errors, or a status of 500 or more) and the p50 and p95 of the time to the response's headers (null without requests). Counts are weighted by Analytics Engine's sample interval.",
    `Buckets start at whole multiples of \`step\` (UTC), so the first takes in the part of its bucket before \`since\`; every bucket is there, zeros without requests. \`step\` divides a day (60, 300, 900, 3600…); by default the smallest of 1, 5, 15 minutes, 1, 6, 24 hours that gives at most 96 buckets. At most ${MAX_TRAFFIC_BUCKETS} steps in the window (so at most one more bucket): more is a 400 naming \`step\` (or \`since\` when no step is given).`,
    "502 `upstream_error` when Analytics Engine does not answer.",
  ].join("\n\n"),
  request: { params: TenantParams, query: TrafficQuery },
  responses: {
    200: jsonContent(TenantTraffic, "The tenant's buckets, oldest first."),
    ...notFoundError,
    502: jsonContent(ErrorBody, "Analytics Engine's SQL API failed or answered out of shape: `upstream_error`."),
  },
});

export const trafficRoutes = new OpenAPIHono<AppEnv>().openapi(trafficRoute, async (c) => {
  const { id } = c.req.valid("param");
  const resolved = resolveTrafficWindow(c.req.valid("query"), Date.now());
  if (!resolved.ok) {
    const path = `query.${resolved.field}`;
    throw new ApiError(400, "invalid_request", `${path}: ${resolved.message}`, [{ path, message: resolved.message }]);
  }
  const tenant = await getTenant(c.env.DB, id);
  if (tenant === null || tenant.state === "deleted") throw new ApiError(404, "not_found", `no tenant "${id}"`);
  const config = configOf(c.env);
  const client = metricsReader(c.env, config);
  try {
    const traffic = await tenantTraffic(client, {
      dataset: config.metricsDataset,
      tenantId: tenant.id as TenantId,
      window: resolved.window,
    });
    return c.json(traffic, 200);
  } catch (error) {
    if (error instanceof CloudflareApiError) {
      throw new ApiError(502, "upstream_error", `Analytics Engine's SQL API did not answer: ${error.message}`);
    }
    if (error instanceof TrafficShapeError) throw new ApiError(502, "upstream_error", error.message);
    throw error;
  }
});
