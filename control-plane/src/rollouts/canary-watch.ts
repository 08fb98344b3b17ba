import type { Config } from "../config";
import type { Env } from "../env";
import { rolloutCounts } from "../registry/rollout-counts";
import { type RolloutRow, transition } from "../registry/rollouts";
import { type CanaryHealth, canaryHealthOf, judgeCanary, totalOf } from "./canary-health";

/** How soon a judgement the metering could not answer is tried again. */
const HEALTH_RETRY_MS = 30_000;

/**
 * The canary batch has settled: the rollout pauses. With autoResume and every
 * canary deploy succeeded, it observes for the window and is judged at its
 * end; otherwise it waits for a resume (`awaiting_resume`, or `canary_failed`
 * when a canary deploy failed: autoResume does not go on over a failure). A
 * canary that is the whole selection has nothing to wait for: the rollout
 * goes on to its fleet phase, which has nothing to do and completes.
 * Answers when the object should look again (null: not until asked).
 */
export async function pauseAfterCanary(db: D1Database, rollout: RolloutRow, config: Config): Promise<number | null> {
  const doneAt = new Date();
  const counts = await rolloutCounts(db, rollout.id);
  if (counts.all.pending === 0) {
    await transition(db, rollout.id, ["running"], {
      state: "running",
      phase: "fleet",
      canaryDoneAt: doneAt.toISOString(),
    });
    return Date.now();
  }
  const canary = counts.canary;
  const observe = rollout.auto_resume && canary.failed === 0;
  const until = new Date(doneAt.getTime() + config.canary.observationMs);
  await transition(db, rollout.id, ["running"], {
    state: "paused",
    pausedReason: canary.failed > 0 ? "canary_failed" : observe ? "observing" : "awaiting_resume",
    pausedUntil: observe ? until.toISOString() : null,
    canaryDoneAt: doneAt.toISOString(),
  });
  return observe ? until.getTime() : null;
}

/**
 * The observation window is over: compares the canary tenants' error rate in
 * it with the same length of time before their deploys went out. Healthy:
 * the rollout goes on; otherwise it stays paused with the verdict and the
 * rates. Answers when the object should look again.
 */
export async function judgeObservedCanary(
  env: Env,
  rollout: RolloutRow,
  config: Config,
  canaryIds: readonly string[],
): Promise<number | null> {
  const until = rollout.paused_until === null ? Date.now() : Date.parse(rollout.paused_until);
  if (Date.now() < until) return until;
  let verdict: Awaited<ReturnType<typeof measure>>;
  try {
    verdict = await measure(canaryHealthOf(env), rollout, config, canaryIds, until);
  } catch (error) {
    // The metering did not answer: still observing, asked again a little later.
    console.warn(`rollout ${rollout.id}: canary traffic unavailable: ${(error as Error).message}`);
    return Date.now() + HEALTH_RETRY_MS;
  }
  if (verdict.verdict === "healthy") {
    await transition(env.DB, rollout.id, ["paused"], {
      state: "running",
      phase: "fleet",
      pausedReason: null,
      pausedUntil: null,
      health: verdict,
    });
    return Date.now();
  }
  await transition(env.DB, rollout.id, ["paused"], {
    state: "paused",
    pausedReason: verdict.verdict,
    pausedUntil: null,
    health: verdict,
  });
  return null;
}

async function measure(
  health: CanaryHealth,
  rollout: RolloutRow,
  config: Config,
  canaryIds: readonly string[],
  until: number,
) {
  const window = config.canary.observationMs;
  const startedAt = Date.parse(rollout.canary_started_at ?? rollout.created_at);
  const doneAt = Date.parse(rollout.canary_done_at ?? new Date(until - window).toISOString());
  const before = { from: new Date(startedAt - window), to: new Date(startedAt) };
  const after = { from: new Date(doneAt), to: new Date(doneAt + window) };
  const [trafficBefore, trafficAfter] = await Promise.all([
    health.traffic(canaryIds, before),
    health.traffic(canaryIds, after),
  ]);
  return judgeCanary(
    { ...totalOf(trafficBefore), ...before },
    { ...totalOf(trafficAfter), ...after },
    config.canary.errorRateTolerance,
    new Date(),
  );
}
