import type { RolloutState } from "../../../platform/tenants-api";

/**
 * What an operator may ask of a rollout in each state. Every transition the
 * Rollout object makes is a compare-and-set from these states (registry
 * `transition`), so a request and the object's own progress never overwrite
 * each other.
 *
 *   running (canary) ── canary settled ──▶ paused ── resume / autoResume verdict ──▶ running (fleet)
 *   running ── all settled ──▶ completed | failed (the API refused the script)
 *   running | paused | completed | failed ── rollback ──▶ rolling_back ──▶ rolled_back
 */
export const RESUMABLE: readonly RolloutState[] = ["paused"];
export const ROLLBACKABLE: readonly RolloutState[] = ["running", "paused", "completed", "failed"];

/** Why a resume is refused in `state` (a 409's message). */
export function whyNotResume(id: string, state: RolloutState): string {
  const now = `rollout ${id} is ${state}`;
  if (state === "running") return `${now}: only a paused rollout can be resumed`;
  if (state === "rolling_back" || state === "rolled_back") return `${now}: a rolled back rollout cannot be resumed`;
  return `${now}: it has ended, there is nothing to resume`;
}

/** Why a rollback is refused in `state` (a 409's message). */
export function whyNotRollback(id: string, state: RolloutState): string {
  return state === "rolling_back"
    ? `rollout ${id} is already rolling back`
    : `rollout ${id} is ${state}: it was rolled back already`;
}
