import { Hono } from "hono";
import { failureEnvelope } from "../../cloudflare-api/envelope";
import { ErrorCode } from "../../cloudflare-api/error-codes";
import { admin } from "./admin/routes";
import { account } from "./api/account";
import { authenticate } from "./api/auth";
import { ApiError, noRouteError } from "./api/errors";
import { gate } from "./api/rate-limit-and-faults";
import { fail } from "./api/respond";
import { accountSupport } from "./api/routes/account-support";
import { d1Databases } from "./api/routes/d1-databases";
import { dispatchNamespaces } from "./api/routes/dispatch-namespaces";
import { kvNamespaces } from "./api/routes/kv-namespaces";
import { r2Buckets } from "./api/routes/r2-buckets";
import { r2Objects } from "./api/routes/r2-objects";
import type { ApiEnv } from "./api/types";

/** The Cloudflare v4 REST API, as far as this kit uses it. */
export const api = new Hono<ApiEnv>();
api.use("*", authenticate, gate);
api.use("/accounts/:account_id/*", account);
api.route("/accounts/:account_id/workers/dispatch/namespaces", dispatchNamespaces);
api.route("/accounts/:account_id/storage/kv/namespaces", kvNamespaces);
api.route("/accounts/:account_id/r2/buckets/:bucket_name/objects", r2Objects);
api.route("/accounts/:account_id/r2/buckets", r2Buckets);
api.route("/accounts/:account_id/d1/database", d1Databases);
api.route("/", accountSupport);

export const app = new Hono<ApiEnv>();
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
