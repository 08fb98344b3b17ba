import { Hono } from "hono";
import { ErrorCode } from "../../../../cloudflare-api/error-codes";
import { ApiError, methodNotAllowedError } from "../../http/errors";
import type { ApiEnv } from "../../http/types";

/**
 * Calls wrangler makes around `wrangler deploy --dispatch-namespace`, outside
 * the dispatch namespace API. Before uploading, wrangler looks for an
 * account-level Worker of the same name: its secrets (to warn when a var or
 * binding would shadow one) and its settings (to inherit bindings). The
 * emulator keeps no account-level Workers, so the answer is always the real
 * API's "does not exist", which wrangler takes to mean "nothing to inherit".
 */
export const accountSupport = new Hono<ApiEnv>();

const accountWorkerNotFound = () =>
  new ApiError(404, ErrorCode.scriptNotFound, "This Worker does not exist on your account.");

for (const path of [
  "/accounts/:account_id/workers/scripts/:script_name/secrets",
  "/accounts/:account_id/workers/scripts/:script_name/settings",
]) {
  accountSupport.get(path, () => {
    throw accountWorkerNotFound();
  });
  accountSupport.all(path, (c) => {
    throw methodNotAllowedError(c.req.method);
  });
}
