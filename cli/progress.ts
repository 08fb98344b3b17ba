import type { RolloutView } from "../platform/tenants-api.ts";

const BAR_WIDTH = 30;

/** `[#########-----------x·········]  12/40  9 ok  3 failed`: done, failed, pending, in proportion. */
export function renderBar(rollout: RolloutView, width = BAR_WIDTH): string {
  const { total, succeeded, failed } = rollout;
  const share = (n: number) => (total === 0 ? 0 : Math.round((n / total) * width));
  const ok = share(succeeded);
  const bad = Math.min(width - ok, share(failed));
  const bar = `${"#".repeat(ok)}${"x".repeat(bad)}${".".repeat(width - ok - bad)}`;
  return `[${bar}] ${succeeded + failed}/${total}  ${succeeded} ok  ${failed} failed`;
}

/** `rollout <id> <state>: …`, the state followed by `(canary)` while the canary batch is what it works on or waits after. */
export function describeProgress(rollout: RolloutView): string {
  const phase = rollout.phase === "canary" ? " (canary)" : "";
  return `rollout ${rollout.id} ${rollout.state}${phase}: ${rollout.succeeded} succeeded, ${rollout.failed} failed, ${rollout.pending} pending of ${rollout.total}`;
}

/**
 * Shows a rollout's progress on stderr: a bar redrawn in place on a terminal,
 * one line per change otherwise (a CI log), nothing with --json.
 */
export function progressReporter(
  stream: NodeJS.WriteStream,
  mode: "bar" | "lines" | "none",
): { update(r: RolloutView): void; end(): void } {
  let drawn = false;
  return {
    update(rollout) {
      if (mode === "lines") stream.write(`${describeProgress(rollout)}\n`);
      if (mode === "bar") {
        stream.write(`\r\u001b[2K${renderBar(rollout)}`);
        drawn = true;
      }
    },
    end() {
      if (drawn) stream.write("\n");
    },
  };
}
