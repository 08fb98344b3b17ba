import { Hono } from "hono";
import { failureEnvelope } from "../../cloudflare-api/envelope";
import { ErrorCode } from "../../cloudflare-api/error-codes";
import { admin } from "./admin/routes";
import { analyticsEngineSql } from "./analytics-engine/routes";
import { assetsUploadSession } from "./assets/session-routes";
import { assetsUpload } from "./assets/upload-routes";
import { zones } from "./custom-hostnames/routes";
import { d1Databases } from "./d1/routes";
import { gate } from "./gate/middleware";
import { account } from "./http/account";
import { authenticate } from "./http/auth";
import { ApiError, noRouteError } from "./http/errors";
import { fail } from "./http/respond";
import type { ApiEnv } from "./http/types";
import { kvNamespaces } from "./kv/routes";
import { r2Buckets } from "./r2/bucket-routes";
import { r2Objects } from "./r2/object-routes";
import { accountSupport } from "./scripts/routes/account-workers";
import { dispatchNamespaces } from "./scripts/routes/namespaces";

/** The Cloudflare v4 REST API, as far as this kit uses it. */
export const api = new Hono<ApiEnv>();
api.use("*", authenticate, gate);
api.use("/accounts/:account_id/*", account);
api.route(
  "/accounts/:account_id/workers/dispatch/namespaces/:namespace/scripts/:script_name/assets-upload-session",
  assetsUploadSession,
);
api.route("/accounts/:account_id/workers/dispatch/namespaces", dispatchNamespaces);
api.route("/accounts/:account_id/storage/kv/namespaces", kvNamespaces);
api.route("/accounts/:account_id/r2/buckets/:bucket_name/objects", r2Objects);
api.route("/accounts/:account_id/r2/buckets", r2Buckets);
api.route("/accounts/:account_id/d1/database", d1Databases);
api.route("/accounts/:account_id/analytics_engine/sql", analyticsEngineSql);
api.route("/zones", zones);
api.route("/", accountSupport);

export const app = new Hono<ApiEnv>();
// Authorised by the upload session's JWT, not an API token: before the API's authentication.
app.route("/client/v4/accounts/:account_id/workers/assets/upload", assetsUpload);
app.route("/client/v4", api);
app.route("/__emulator", admin);
app.notFound(() => fail(noRouteError()));
app.onError((error) => {
  if (error instanceof ApiError) return fail(error);
  // A bug in the emulator, not bad input: answer in the API's shape without internals.
  console.error("emulator internal error:", error instanceof Error ? error.message : String(error));
  return new Response(JSON.stringify(failureEnvelope([{ code: ErrorCode.internalError, message: "Internal error" }])), {
    status: 500,
    headers: { "content-type": "application/json" },
  });
});
