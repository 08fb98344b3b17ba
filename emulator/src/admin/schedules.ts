import { exports } from "cloudflare:workers";
import { Hono } from "hono";
import { z } from "zod";
import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { AccountId } from "../../../cloudflare-api/names";
import type { Exports } from "../bindings/kind";
import { runScheduled } from "../dispatch/scheduled";
import { parseJsonBody } from "../http/body";
import { ApiError, methodNotAllowedError } from "../http/errors";
import { ok } from "../http/respond";
import type { ApiEnv } from "../http/types";
import { unwrap } from "../scripts/routes/store-answers";

/**
 * `POST /__emulator/schedules/:account_id/fire` `{namespace, script, cron?}`: runs the script's Cron
 * Triggers now (the one named by `cron`, or all of them), as the store's alarm runs them when due, and
 * answers each run's outcome. For tests, which must not wait for a minute to come.
 */
export const scheduleControls = new Hono<ApiEnv>();

const FireOrder = z.object({ namespace: z.string().min(1), script: z.string().min(1), cron: z.string().optional() });

scheduleControls.post("/schedules/:account_id/fire", async (c) => {
  const accountId = AccountId.safeParse(c.req.param("account_id"));
  if (!accountId.success)
    throw new ApiError(400, ErrorCode.workersInvalidRequest, "The account id is not 32 hex digits");
  const { namespace, script, cron } = await parseJsonBody(c, FireOrder, ErrorCode.workersInvalidRequest);
  const store = c.env.WORKERS_STORE.get(c.env.WORKERS_STORE.idFromName(accountId.data));
  const { schedules } = unwrap(await store.getSchedules(namespace, script));
  const chosen = schedules.filter((schedule) => cron === undefined || schedule.cron === cron);
  if (chosen.length === 0) {
    const which = cron === undefined ? "no Cron Triggers" : `no Cron Trigger '${cron}'`;
    throw new ApiError(404, ErrorCode.scriptNotFound, `The Worker ${script} has ${which}.`);
  }
  const scope = { accountId: accountId.data, namespace, script };
  const scheduledTime = Date.now();
  const fired = await Promise.all(
    chosen.map(async (schedule) => {
      const event = { cron: schedule.cron, scheduledTime };
      try {
        return { ...event, ...(await runScheduled(c.env, exports as unknown as Exports, scope, event)) };
      } catch (error) {
        // The run could not start (its runner was not there): an outcome, not the emulator's own failure.
        return {
          ...event,
          outcome: "exception",
          noRetry: false,
          error: error instanceof Error ? error.message : String(error),
        };
      }
    }),
  );
  return ok(c, { fired });
});

scheduleControls.all("/schedules/:account_id/fire", (c) => {
  throw methodNotAllowedError(c.req.method);
});
