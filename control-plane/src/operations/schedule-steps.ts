import { z } from "zod";
import { cronLimitRefusal } from "../../../platform/plans";
import { updateTenant } from "../registry/tenants";
import type { Step } from "./context";
import { StepRefusal } from "./failures";

/**
 * The cron triggers an operation sets: the whole new list (`[]`: none). Absent, the tenant's
 * stay as they are, as `wrangler deploy` leaves a Worker's alone without `[triggers] crons`.
 */
export const CronsInput = z.object({ crons: z.array(z.string()).optional() });

const sameCrons = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((cron, index) => cron === b[index]);

/**
 * Sets the script's cron triggers through the API (`PUT …/schedules`, which replaces them all),
 * after the upload (the script must be there), then records them. Idempotent: the same list
 * again is the same state, and one already recorded is not sent again.
 */
export const setSchedules: Step = {
  name: "set_schedules",
  callsApi: true,
  async run(context) {
    const { crons } = CronsInput.parse(context.operation.input);
    const { tenant } = context;
    if (crons === undefined || sameCrons(crons, tenant.crons)) return;
    // Admission checked the plan; a plan change admitted since (before these were recorded) is caught here.
    const tooMany = cronLimitRefusal(tenant.plan, crons.length);
    if (tooMany !== null) throw new StepRefusal("plan_limit", tooMany);
    await context.api.scripts.putSchedules(context.config.dispatchNamespace, context.names.script, crons);
    await updateTenant(context.env.DB, tenant.id, { crons }).run();
  },
};
