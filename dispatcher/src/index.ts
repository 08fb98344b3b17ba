import { createDispatcher, type Dispatcher } from "./dispatcher";
import type { Env } from "./env";
import { errorResponse } from "./errors";
import { newRequestId, withRequestId } from "./tenant-request";

/**
 * The platform's front door. One dispatcher per isolate, so its route cache
 * lives as long as the isolate; rebuilt only if the runtime hands over
 * different bindings.
 */
let current: { env: Env; dispatch: Dispatcher } | undefined;

export default {
  fetch(request, env, ctx): Promise<Response> | Response {
    if (current?.env !== env) {
      try {
        current = { env, dispatch: createDispatcher(env) };
      } catch (error) {
        // A wrong var: every request fails until it is fixed, and the logs say which var.
        const requestId = newRequestId();
        console.error(`request ${requestId}:`, error);
        return withRequestId(errorResponse("platform_error", requestId, request.headers.get("accept")), requestId);
      }
    }
    return current.dispatch(request, ctx);
  },
} satisfies ExportedHandler<Env>;
