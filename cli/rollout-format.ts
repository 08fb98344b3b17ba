import type { RolloutView } from "../platform/tenants-api.ts";
import { describeProgress } from "./progress.ts";

const percent = (rate: number | null) => (rate === null ? "none" : `${(rate * 100).toFixed(2)}%`);

/** The canary line: its size, how its deploys went, and its tenants (the first ones of a big canary). */
function canaryLine({ canary }: RolloutView): string {
  const more = canary.count > canary.tenants.length ? `, … ${canary.count - canary.tenants.length} more` : "";
  return `  canary     ${canary.count} tenant(s), ${canary.succeeded} succeeded, ${canary.failed} failed, ${canary.pending} pending: ${canary.tenants.join(", ")}${more}`;
}

function healthLine({ health }: RolloutView): string | null {
  if (health === null) return null;
  const side = (name: string, t: NonNullable<RolloutView["health"]>["before"]) =>
    `${name} ${percent(t.rate)} (${t.errors} errors in ${t.requests} requests)`;
  return `  error rate ${side("before", health.before)}, ${side("after", health.after)}, tolerance ${percent(health.tolerance)}: ${health.verdict}`;
}

function rollbackLine({ rollback }: RolloutView): string | null {
  if (rollback === null) return null;
  return `  rollback   ${rollback.succeeded} succeeded, ${rollback.failed} failed, ${rollback.pending} pending, ${rollback.skipped} skipped (never reached)`;
}

/**
 * A rollout as `wfp` prints it: the progress line, then what applies of its
 * canary, pause, error-rate verdict and rollback, then each failure.
 */
export function formatRollout(rollout: RolloutView): string {
  const lines = [describeProgress(rollout)];
  if (rollout.canary.count > 0) lines.push(canaryLine(rollout));
  if (rollout.paused !== null) lines.push(`  paused     ${rollout.paused.reason}: ${rollout.paused.message}`);
  for (const line of [healthLine(rollout), rollbackLine(rollout)]) if (line !== null) lines.push(line);
  for (const failure of rollout.failures) lines.push(`  ${failure.tenantId}: ${failure.message}`);
  for (const failure of rollout.rollback?.failures ?? []) {
    lines.push(`  ${failure.tenantId} (rollback): ${failure.message}`);
  }
  return lines.join("\n");
}
