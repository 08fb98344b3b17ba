import type { DeploymentVersion } from "../../../platform/tenants-api";
import type { Env } from "../env";
import { rolloutCounts } from "../registry/rollout-counts";
import {
  inChunks,
  markCanaryStarted,
  markRefused,
  pendingItems,
  type RolloutRow,
  settledItems,
  updateItem,
} from "../registry/rollouts";
import { OperationError } from "../registry/rows";
import { getTenant } from "../registry/tenants";

/** Deploys in flight at once: enough to keep the API budget busy, few enough to stop early on a refused script. */
export const IN_FLIGHT = 10;

/** The version serving most of a deployment's traffic (the first of two at 50/50); null before any. */
export function liveVersionOf(deployment: readonly DeploymentVersion[]): string | null {
  let live: DeploymentVersion | null = null;
  for (const version of deployment) if (live === null || version.percentage > live.percentage) live = version;
  return live?.id ?? null;
}

/**
 * Records how the submitted deploys that have ended went. Answers the API's
 * message if it refused the script (then the code goes nowhere else).
 */
export async function recordSettledDeploys(db: D1Database, id: string): Promise<string | null> {
  let refused: string | null = null;
  const settled = await settledItems(db, id, "deploy");
  await inChunks(
    db,
    settled.map((item) => {
      const error = item.error === null ? null : OperationError.safeParse(JSON.parse(item.error));
      const message = error?.success ? error.data.message : undefined;
      if (error?.success && error.data.code === "script_rejected") refused = error.data.message;
      return updateItem(db, id, item.tenant_id, { state: item.state, error: message });
    }),
  );
  return refused;
}

/** The API refuses this code: the rollout records it, and the tenants not yet reached keep theirs. */
export async function failPending(db: D1Database, id: string, refused: string): Promise<void> {
  await markRefused(db, id, refused).run();
  const rest = await pendingItems(db, id, 100_000);
  const message = `not deployed: the API refused the script: ${refused}`;
  await inChunks(
    db,
    rest.map((tenantId) => updateItem(db, id, tenantId, { state: "failed", error: message })),
  );
}

/**
 * Hands the next deploys (of the canary batch, or of any tenant) to their
 * tenants' operations objects, up to IN_FLIGHT under way. Each item records
 * the tenant's live version as it was submitted: what a rollback returns to.
 */
export async function submitDeploys(env: Env, rollout: RolloutRow, only: "all" | "canary"): Promise<void> {
  const db = env.DB;
  const counts = await rolloutCounts(db, rollout.id);
  const room = IN_FLIGHT - counts.all.submitted;
  if (room <= 0) return;
  const next = await pendingItems(db, rollout.id, room, only);
  if (next.length > 0 && only === "canary") await markCanaryStarted(db, rollout.id).run();
  for (const tenantId of next) {
    const previousVersionId = liveVersionOf((await getTenant(db, tenantId))?.deployment ?? []);
    const tenant = env.TENANT_OPERATIONS.get(env.TENANT_OPERATIONS.idFromName(tenantId));
    const submission = await tenant.deploy(tenantId, rollout.script_key, { wait: false, rolloutId: rollout.id });
    await db.batch(
      updateItem(
        db,
        rollout.id,
        tenantId,
        submission.ok
          ? { state: "submitted", operationId: submission.operationId, previousVersionId }
          : { state: "failed", error: submission.message },
      ),
    );
  }
}
