import type { Env } from "../env";
import { rolloutCounts } from "../registry/rollout-counts";
import { markRollback, pendingRollbacks, updateRollback } from "../registry/rollout-rollbacks";
import { inChunks, settledItems } from "../registry/rollouts";
import { OperationError } from "../registry/rows";
import { IN_FLIGHT } from "./deploy-batch";

/**
 * One round of a rollout's rollback: marks the items (once), records the
 * rollbacks that have ended, and hands the next ones to their tenants'
 * operations objects, which queue each behind the tenant's deploy if that
 * is still under way. Answers whether every rollback has ended.
 */
export async function rollBackRound(env: Env, rolloutId: string): Promise<boolean> {
  const db = env.DB;
  await db.batch(markRollback(db, rolloutId));
  const settled = await settledItems(db, rolloutId, "rollback");
  await inChunks(
    db,
    settled.map((item) => {
      const error = item.error === null ? null : OperationError.safeParse(JSON.parse(item.error));
      return updateRollback(db, rolloutId, item.tenant_id, {
        state: item.state,
        ...(error?.success ? { error: error.data.message } : {}),
      });
    }),
  );

  const counts = (await rolloutCounts(db, rolloutId)).rollback;
  const room = IN_FLIGHT - counts.submitted;
  if (room > 0) {
    for (const item of await pendingRollbacks(db, rolloutId, room)) {
      const tenant = env.TENANT_OPERATIONS.get(env.TENANT_OPERATIONS.idFromName(item.tenant_id));
      // Without a recorded version (a tenant with none live when it was submitted), the tenant's own default:
      // the version deployed before its current one.
      const submission = await tenant.rollback(item.tenant_id, {
        ...(item.previous_version_id === null ? {} : { versionId: item.previous_version_id }),
        message: `rollback of rollout ${rolloutId}`,
        wait: false,
        rolloutId,
      });
      await db.batch(
        updateRollback(
          db,
          rolloutId,
          item.tenant_id,
          submission.ok
            ? { state: "submitted", operationId: submission.operationId }
            : { state: "failed", error: submission.message },
        ),
      );
    }
  }
  const after = (await rolloutCounts(db, rolloutId)).rollback;
  return after.pending === 0 && after.submitted === 0;
}
