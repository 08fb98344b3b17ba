import { OpenAPIHono } from "@hono/zod-openapi";
import { CustomHostnameView } from "../../../../platform/custom-hostname-view";
import { Hostname } from "../../../../platform/hostnames";
import { EmptyRequest, ErrorBody } from "../../../../platform/tenants-api";
import { ApiError } from "../errors";
import { conflictError, jsonBody, jsonContent, notFoundError, v1Route } from "../openapi-routes";
import type { AppEnv } from "../types";
import { TenantParams, tenantObject } from "./tenants";

/** A tenant's own domain (Cloudflare for SaaS custom hostname), named in the path. */
const CustomHostnameParams = TenantParams.extend({ hostname: Hostname });

const checkAgainRoute = v1Route({
  method: "post",
  path: "/v1/tenants/{id}/custom-hostnames/{hostname}/check",
  summary: "Check a tenant's own domain again, now",
  description:
    "Asks Cloudflare to validate the custom hostname again (an edit of its certificate settings to what they are: the records to publish stay the same) and starts the control plane's checks over. For a tenant that published its records after Cloudflare's validation timed out or after the checks stopped, or that does not want to wait for the next check. A live hostname is answered as it is. 404 when the tenant has no such custom hostname; 409 while it is not created yet; 502 `upstream_error` when the Cloudflare API does not take the request.",
  request: { params: CustomHostnameParams, body: jsonBody(EmptyRequest, "`{}`") },
  responses: {
    200: jsonContent(CustomHostnameView, "The custom hostname, as the API answered it just now."),
    ...notFoundError,
    ...conflictError,
    502: jsonContent(ErrorBody, "The Cloudflare API did not take the request: `upstream_error`."),
  },
});

export const customHostnameRoutes = new OpenAPIHono<AppEnv>().openapi(checkAgainRoute, async (c) => {
  const { id, hostname } = c.req.valid("param");
  const result = await tenantObject(c.env, id).checkHostnameAgain(id, hostname);
  if (!result.ok) throw new ApiError(result.status, result.code, result.message);
  return c.json(result.view, 200);
});
