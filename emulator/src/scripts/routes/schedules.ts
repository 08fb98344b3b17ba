import { Hono } from "hono";
import type { z } from "zod";
import { ErrorCode } from "../../../../cloudflare-api/error-codes";
import { SchedulesInput } from "../../../../cloudflare-api/schedules";
import { describeZodError, readBodyBytes } from "../../http/body";
import type { ApiEnv } from "../../http/types";
import { failure, invalidCron, success, validationFailed, type WorkersResult } from "../errors";
import { parseJsonText } from "../validation";
import { storeRoute, unwrap } from "./store-answers";

/** A script's Cron Triggers: `[{cron}]` in, `{schedules: [{cron, created_on, modified_on}]}` out. */
export const schedules = new Hono<ApiEnv>();

schedules.get(
  "/:script/schedules",
  storeRoute((store, { namespace, script }) => store.getSchedules(namespace, script)),
);

/** The body is the whole new list; an expression Cloudflare refuses is its 10100, any other shape 10021. */
schedules.put(
  "/:script/schedules",
  storeRoute(async (store, { namespace, script }, c) => {
    const text = new TextDecoder().decode(await readBodyBytes(c, ErrorCode.scriptValidationFailed));
    const list = unwrap(parseSchedules(unwrap(parseJsonText(text, "The request body"))));
    return store.putSchedules(
      c.get("accountId"),
      namespace,
      script,
      list.map((schedule) => schedule.cron),
    );
  }),
);

function parseSchedules(raw: unknown): WorkersResult<SchedulesInput> {
  const parsed = SchedulesInput.safeParse(raw);
  if (parsed.success) return success(parsed.data);
  const cronIssue = parsed.error.issues.find((issue: z.core.$ZodIssue) => issue.code === "custom");
  if (cronIssue !== undefined) return failure(invalidCron(cronIssue.message));
  return failure(validationFailed(describeZodError(parsed.error)));
}
