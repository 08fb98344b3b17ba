import type { RolloutView } from "../platform/tenants-api.ts";
import { api } from "./api.ts";
import type { Context } from "./command.ts";
import { CliError, EXIT } from "./errors.ts";
import { pollUntil } from "./poll.ts";
import { progressReporter } from "./progress.ts";
import { formatRollout } from "./rollout-format.ts";

/** Whether the rollout is waiting for nobody: still deploying, rolling back, or observing its canary for autoResume. */
const underWay = (rollout: RolloutView) =>
  rollout.state === "running" ||
  rollout.state === "rolling_back" ||
  (rollout.state === "paused" && rollout.paused?.reason === "observing");

/** Pauses that mean something went wrong with the canary (as opposed to waiting for a resume). */
const TROUBLED_PAUSES = new Set(["error_rate_rose", "canary_failed"]);

/** What an operator can do next with a paused rollout. */
const nextSteps = (id: string) =>
  `paused: \`wfp rollouts resume ${id}\` deploys the rest, \`wfp rollouts rollback ${id}\` undoes the canary`;

/**
 * Follows a rollout until it waits for nobody, showing its progress on
 * stderr, then prints it. Exit 4 (with the rollout as the error's result) if
 * tenants failed, the API refused the script, the canary's error rate rose or
 * a canary deploy failed, or (once rolled back) a tenant's rollback failed. A pause
 * that waits for a resume is a success: the rollout is where it should be.
 */
export async function followRollout(context: Context, started: RolloutView): Promise<void> {
  const { out } = context;
  const mode = out.json ? "none" : out.stderr.isTTY ? "bar" : "lines";
  const progress = progressReporter(out.stderr, mode);
  progress.update(started);
  let final = started;
  try {
    final = await pollUntil(
      started,
      () => api.getRollout(context.connection, started.id),
      (r) => !underWay(r),
      {
        ...context.poll,
        what: `rollout ${started.id}`,
        onChange: (r) => {
          final = r;
          progress.update(r);
        },
      },
    );
  } catch (error) {
    // A timeout still reports how far the rollout got.
    if (!(error instanceof CliError)) throw error;
    throw new CliError(error.exitCode, error.code, `${error.message}\n${formatRollout(final)}`, { result: final });
  } finally {
    progress.end();
  }
  const troubled = final.paused !== null && TROUBLED_PAUSES.has(final.paused.reason);
  // A rolled back rollout is judged by its rollback alone: the deploys it undid may have failed too.
  const failed =
    final.state === "rolled_back"
      ? (final.rollback?.failed ?? 0) > 0
      : final.state === "failed" || final.failed > 0 || troubled;
  if (failed) {
    if (final.state === "paused") out.note(nextSteps(final.id));
    throw new CliError(EXIT.waitFailed, "rollout_failed", formatRollout(final), { result: final });
  }
  out.result(final, () => formatRollout(final));
  if (final.state === "paused") out.note(nextSteps(final.id));
}
