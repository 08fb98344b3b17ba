import type { Context } from "hono";
import { ApiError } from "../../http/errors";
import { ok } from "../../http/respond";
import type { ApiEnv } from "../../http/types";
import type { WorkersError, WorkersResult } from "../errors";

/** The caller's account's WorkersStore (one per account). */
export const workersStore = (c: Context<ApiEnv>) =>
  c.env.WORKERS_STORE.get(c.env.WORKERS_STORE.idFromName(c.get("accountId")));

export const apiError = (error: WorkersError) => new ApiError(error.status, error.code, error.message);

/** The value of a store answer, or its refusal thrown as the API error it stands for. */
export function unwrap<T>(result: WorkersResult<T>): T {
  if (!result.ok) throw apiError(result.error);
  return result.value;
}

/** The path's namespace and script, as the routes under /:namespace/scripts/:script name them. */
export const scriptParams = (c: Context<ApiEnv>) => ({
  namespace: c.req.param("namespace") ?? "",
  script: c.req.param("script") ?? "",
});

type ScriptParams = ReturnType<typeof scriptParams>;

/**
 * A route whose answer is one store call about the script in its path: the
 * call's value in the envelope, or its refusal as the API error. Most script
 * routes are only that; the ones that read a body parse it in `call`.
 */
export const storeRoute =
  <T>(
    call: (
      store: ReturnType<typeof workersStore>,
      script: ScriptParams,
      c: Context<ApiEnv>,
    ) => Promise<WorkersResult<T>>,
  ) =>
  async (c: Context<ApiEnv>) =>
    ok(c, unwrap(await call(workersStore(c), scriptParams(c), c)));
