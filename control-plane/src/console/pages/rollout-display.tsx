import type { PauseReason, RolloutState, RolloutSummary } from "../../../../platform/tenants-api";
import { Badge } from "./tenant-display";

const ROLLOUT_TONES = {
  running: "info",
  paused: "warn",
  completed: "ok",
  failed: "bad",
  rolling_back: "info",
  rolled_back: "muted",
} as const satisfies Record<RolloutState, Parameters<typeof Badge>[0]["tone"]>;

/** The state in words (the badge's text), never by colour alone. */
export const RolloutStateBadge = ({ state }: { state: RolloutState }) => (
  <Badge tone={ROLLOUT_TONES[state]}>{state.replace("_", " ")}</Badge>
);

/** Why a rollout waits, in a few words (the detail page adds /v1's full message). */
export const PAUSE_REASONS: Record<PauseReason, string> = {
  awaiting_resume: "canary deployed: waiting for resume",
  observing: "watching the canary's error rate",
  error_rate_rose: "the canary's error rate rose",
  no_traffic: "the canary had no traffic to judge",
  canary_failed: "a canary deploy failed",
};

/** Whether the rollout is doing something by itself (deploying, rolling back, watching its canary): its page refreshes. */
export function isMoving(rollout: Pick<RolloutSummary, "state" | "paused">): boolean {
  return (
    rollout.state === "running" ||
    rollout.state === "rolling_back" ||
    (rollout.state === "paused" && rollout.paused?.reason === "observing")
  );
}

type Counts = { succeeded: number; failed: number; pending: number };

/** A `<progress>` of the tenants done (succeeded or failed) out of all, with the same in words beside it. */
export function Progress({ counts, total, label }: { counts: Counts; total: number; label: string }) {
  const done = counts.succeeded + counts.failed;
  const words = `${done} of ${total} done: ${counts.succeeded} succeeded, ${counts.failed} failed, ${counts.pending} pending`;
  return (
    <div class="progress">
      <progress max={Math.max(total, 1)} value={done} aria-label={label}>
        {words}
      </progress>
      <span>{words}</span>
    </div>
  );
}
