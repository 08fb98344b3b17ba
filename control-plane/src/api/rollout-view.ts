import type { RolloutSummary, RolloutView } from "../../../platform/tenants-api";
import type { Env } from "../env";
import { countsOf, type RolloutCounts } from "../registry/rollout-counts";
import { rollbackFailures } from "../registry/rollout-rollbacks";
import { canaryTenants, getRollout, type RolloutRow, rolloutFailures } from "../registry/rollouts";
import { ApiError } from "./errors";

/** The canary ids a view lists; a bigger canary shows its count and these first ones. */
const CANARY_IDS_SHOWN = 100;

/** The rollout row, or the API's 404. */
export async function requireRollout(env: Env, id: string): Promise<RolloutRow> {
  const rollout = await getRollout(env.DB, id);
  if (rollout === null) throw new ApiError(404, "not_found", `no rollout "${id}"`);
  return rollout;
}

const percent = (rate: number | null) => (rate === null ? "none" : `${(rate * 100).toFixed(2)}%`);

/** Why the rollout is paused, in words, with what it is waiting for. */
function pauseMessage(rollout: RolloutRow, canaryFailed: number): string {
  const resume = `POST /v1/rollouts/${rollout.id}/resume goes on`;
  const health = rollout.health;
  switch (rollout.paused_reason) {
    case "observing":
      return `the canary is deployed; its error rate is judged at ${rollout.paused_until}`;
    case "error_rate_rose":
      return `the canary's error rate rose from ${percent(health?.before.rate ?? null)} to ${percent(health?.after.rate ?? null)} (tolerance ${percent(health?.tolerance ?? null)}): ${resume} anyway, /rollback undoes it`;
    case "no_traffic":
      return `the canary tenants had no requests in the observation window, so their error rate cannot be judged: ${resume}`;
    case "canary_failed":
      return `${canaryFailed} canary deploy(s) failed (see failures): ${resume} anyway, /rollback undoes it`;
    default:
      return `the canary is deployed: ${resume}`;
  }
}

export async function rolloutView(env: Env, id: string): Promise<RolloutView> {
  const rollout = await requireRollout(env, id);
  // The counts are the row's (registry/rollout-counts.ts), as it was read.
  const { all: counts, canary, rollback } = countsOf(rollout);
  const [canaryIds, failures] = await Promise.all([
    canaryTenants(env.DB, id, CANARY_IDS_SHOWN),
    rolloutFailures(env.DB, id),
  ]);
  return {
    id,
    state: rollout.state,
    phase: rollout.phase,
    autoResume: rollout.auto_resume,
    total: rollout.total,
    succeeded: counts.succeeded,
    failed: counts.failed,
    pending: counts.pending + counts.submitted,
    failures,
    canary: {
      count: rollout.canary_total,
      tenants: canaryIds,
      succeeded: canary.succeeded,
      failed: canary.failed,
      pending: canary.pending + canary.submitted,
    },
    paused:
      rollout.state === "paused" && rollout.paused_reason !== null
        ? {
            reason: rollout.paused_reason,
            message: pauseMessage(rollout, canary.failed),
            until: rollout.paused_until,
          }
        : null,
    health: rollout.health,
    rollback: rollout.phase === "rollback" ? await rollbackView(env, id, rollback) : null,
    createdAt: rollout.created_at,
    updatedAt: rollout.updated_at,
  };
}

async function rollbackView(
  env: Env,
  id: string,
  counts: RolloutCounts["rollback"],
): Promise<NonNullable<RolloutView["rollback"]>> {
  const failures = await rollbackFailures(env.DB, id);
  return {
    succeeded: counts.succeeded,
    failed: counts.failed,
    pending: counts.pending + counts.submitted,
    skipped: counts.skipped,
    failures,
  };
}

/** Rollouts as a listing shows them, with the counts on their rows. */
export function rolloutSummaries(rows: readonly RolloutRow[]): RolloutSummary[] {
  return rows.map((rollout) => {
    const { all, canary } = countsOf(rollout);
    return {
      id: rollout.id,
      state: rollout.state,
      phase: rollout.phase,
      autoResume: rollout.auto_resume,
      total: rollout.total,
      succeeded: all.succeeded,
      failed: all.failed,
      pending: all.pending + all.submitted,
      canary: {
        count: rollout.canary_total,
        succeeded: canary.succeeded,
        failed: canary.failed,
        pending: canary.pending + canary.submitted,
      },
      paused:
        rollout.state === "paused" && rollout.paused_reason !== null
          ? { reason: rollout.paused_reason, until: rollout.paused_until }
          : null,
      createdAt: rollout.created_at,
      updatedAt: rollout.updated_at,
    };
  });
}
