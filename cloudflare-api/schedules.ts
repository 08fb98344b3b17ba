import { z } from "zod";
import { CronExpression } from "./cron.ts";

/**
 * A script's Cron Triggers (`PUT/GET …/scripts/{script}/schedules`, the `cloudflare` SDK's
 * workers/scripts/schedules): the body is the whole new list, the answer the list as stored.
 */
export const ScheduleInput = z.object({ cron: CronExpression });
export const SchedulesInput = z.array(ScheduleInput);
export type SchedulesInput = z.infer<typeof SchedulesInput>;

export const Schedule = z.object({
  cron: z.string(),
  created_on: z.string().optional(),
  modified_on: z.string().optional(),
});
export type Schedule = z.infer<typeof Schedule>;

export const Schedules = z.object({ schedules: z.array(Schedule) });
export type Schedules = z.infer<typeof Schedules>;
