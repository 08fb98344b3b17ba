import { OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { requirePlatformToken } from "./api/auth";
import { changesInTurn } from "./api/changes-in-turn";
import { renderDocsPage } from "./api/docs-page";
import { ApiError, errorResponse, invalidRequest } from "./api/errors";
import { requireBody } from "./api/json-body";
import { assetRoutes } from "./api/routes/assets";
import { customHostnameRoutes } from "./api/routes/custom-hostnames";
import { logRoutes } from "./api/routes/logs";
import { operationRoutes } from "./api/routes/operations";
import { requestMetricsRoutes } from "./api/routes/request-metrics";
import { rolloutRoutes } from "./api/routes/rollouts";
import { tenantRoutes } from "./api/routes/tenants";
import { trafficRoutes } from "./api/routes/traffic";
import { versionRoutes } from "./api/routes/versions";
import type { AppEnv } from "./api/types";
import { consoleApp } from "./console/app";

const OPENAPI_INFO = {
  openapi: "3.1.0",
  info: {
    title: "Workers for Platforms kit: control plane",
    version: "1.0.0",
    description:
      "Onboard, change and remove tenants. Each tenant gets a KV namespace, an R2 bucket and a D1 database, its script in the dispatch namespace with them bound, and routes the dispatcher follows. Changes are operations that run in the background, one at a time per tenant, and survive failures and restarts; GET a tenant to follow them.",
  },
};

export const app = new OpenAPIHono<AppEnv>({
  // Every validation failure in the one error shape, naming each field.
  defaultHook: (result) => {
    if (!result.success) throw invalidRequest(result.error, result.target === "json" ? undefined : result.target);
  },
});

app.openAPIRegistry.registerComponent("securitySchemes", "Bearer", { type: "http", scheme: "bearer" });

app.get("/health", (c) => c.json({ ok: true, service: "wfp-control-plane" }));
app.get("/openapi.json", (c) => c.json(app.getOpenAPI31Document(OPENAPI_INFO)));
app.get("/docs", (c) => c.html(renderDocsPage(app.getOpenAPI31Document(OPENAPI_INFO))));

// The operator console: pages over the same /v1 routes, called in process.
app.get("/", (c) => c.redirect("/console", 303));
app.route(
  "/console",
  consoleApp((request, env, ctx) => app.fetch(request, env, ctx)),
);

// A body is refused (400, 413) before its request waits for a turn.
app.use("/v1/*", requirePlatformToken, requireBody, changesInTurn);
app.route("/", tenantRoutes);
app.route("/", assetRoutes);
app.route("/", versionRoutes);
app.route("/", customHostnameRoutes);
app.route("/", logRoutes);
app.route("/", trafficRoutes);
app.route("/", operationRoutes);
app.route("/", rolloutRoutes);
app.route("/", requestMetricsRoutes);

// A known path with a method it does not have: 405 naming the ones it has,
// read from the routes registered above.
for (const [path, methods] of allowedMethods()) {
  const allow = methods.join(", ");
  app.all(path, (c) => {
    c.header("Allow", allow);
    throw new ApiError(
      405,
      "method_not_allowed",
      `${c.req.method} is not allowed on ${new URL(c.req.url).pathname}: use ${allow}`,
    );
  });
}

/** Each documented path in Hono's syntax (`/v1/tenants/:id`), with its methods. */
function allowedMethods(): Map<string, string[]> {
  const allowed = new Map<string, string[]>();
  for (const definition of app.openAPIRegistry.definitions) {
    if (definition.type !== "route") continue;
    const path = definition.route.path.replace(/\{(\w+)\}/g, ":$1");
    allowed.set(path, [...(allowed.get(path) ?? []), definition.route.method.toUpperCase()]);
  }
  return allowed;
}

app.notFound((c) =>
  errorResponse(c, new ApiError(404, "not_found", `no route for ${c.req.method} ${new URL(c.req.url).pathname}`)),
);

app.onError((error, c) => {
  if (error instanceof ApiError) return errorResponse(c, error);
  if (error instanceof HTTPException && error.status < 500) {
    return errorResponse(
      c,
      new ApiError(
        error.status === 413 ? 413 : 400,
        error.status === 413 ? "payload_too_large" : "invalid_request",
        error.message,
      ),
    );
  }
  // The message may carry an upstream answer: logged for the operator, not returned.
  const id = crypto.randomUUID();
  console.error(`control plane error ${id}:`, error instanceof Error ? `${error.name}: ${error.message}` : error);
  return errorResponse(
    c,
    new ApiError(
      500,
      "internal_error",
      `internal error (reference ${id}); the details are in the control plane's logs`,
    ),
  );
});
