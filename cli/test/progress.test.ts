import { describe, expect, it } from "vitest";
import type { RolloutView } from "../../platform/tenants-api.ts";
import { renderBar } from "../progress.ts";

const rollout = (succeeded: number, failed: number, total: number): RolloutView => ({
  id: "ro-1",
  state: "running",
  phase: "fleet",
  autoResume: false,
  total,
  succeeded,
  failed,
  pending: total - succeeded - failed,
  failures: [],
  canary: { count: 0, tenants: [], succeeded: 0, failed: 0, pending: 0 },
  paused: null,
  health: null,
  rollback: null,
  createdAt: "2026-11-01T00:00:00.000Z",
  updatedAt: "2026-11-01T00:00:00.000Z",
});

describe("the rollout progress bar (drawn on a terminal)", () => {
  it("fills in proportion: succeeded, then failed, then pending", () => {
    expect(renderBar(rollout(5, 2, 10), 10)).toBe("[#####xx...] 7/10  5 ok  2 failed");
    expect(renderBar(rollout(0, 0, 4), 8)).toBe("[........] 0/4  0 ok  0 failed");
    expect(renderBar(rollout(3, 0, 3), 6)).toBe("[######] 3/3  3 ok  0 failed");
  });

  it("never overflows when rounding both shares up, and draws an empty rollout", () => {
    expect(renderBar(rollout(1, 1, 2), 3)).toHaveLength("[###] 2/2  1 ok  1 failed".length);
    expect(renderBar(rollout(0, 0, 0), 5)).toBe("[.....] 0/0  0 ok  0 failed");
  });
});
