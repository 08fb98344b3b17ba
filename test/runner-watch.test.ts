import { describe, expect, it } from "vitest";
import { RUNAWAY_MIN_MS } from "../emulator/src/runner/health.ts";
import { RUNAWAY, RunawayWatch } from "../scripts/lib/runner-watch.ts";

// The supervisor's decision alone (scripts/lib/runner-watch.ts), on a clock of the test's own:
// `runaway-tenant.test.ts` runs it against npm run dev's real runners.

describe("when a runner is held", () => {
  it("is when an answer is overdue by more than the bound, and not before", () => {
    const watch = new RunawayWatch({ minMs: 2_000, factor: 10 });
    watch.asked(1_000);
    expect(watch.awaiting).toBe(true);
    expect(watch.heldFor(3_000)).toBeUndefined();
    expect(watch.heldFor(3_001)).toBe(2_001);
  });

  it("bounds by ten times the largest CPU limit the runner last said it was running, never less than the least", () => {
    const watch = new RunawayWatch({ minMs: 2_000, factor: 10 });
    watch.answered({ inFlight: 1, cpuMs: 50 });
    expect(watch.boundMs).toBe(2_000);
    watch.answered({ inFlight: 2, cpuMs: 500 });
    expect(watch.boundMs).toBe(5_000);
    watch.asked(0);
    expect(watch.heldFor(4_999)).toBeUndefined();
    expect(watch.heldFor(5_001)).toBe(5_001);
    watch.answered({ inFlight: 0, cpuMs: null });
    expect(watch.boundMs).toBe(2_000);
  });

  it("is never while nothing is awaited: answered, unreachable (starting again), or just ended", () => {
    const watch = new RunawayWatch({ minMs: 2_000, factor: 10 });
    expect(watch.heldFor(1e9)).toBeUndefined();
    watch.asked(0);
    watch.unreachable();
    expect(watch.heldFor(1e9)).toBeUndefined();
    watch.answered({ inFlight: 1, cpuMs: 30_000 });
    watch.asked(0);
    watch.ended();
    expect(watch.awaiting).toBe(false);
    expect(watch.boundMs).toBe(2_000);
  });

  it("waits at least as long as the emulator assumes when it tells a lost request from one that never ran", () => {
    expect(RUNAWAY.minMs).toBe(RUNAWAY_MIN_MS);
    expect(new RunawayWatch().boundMs).toBeGreaterThanOrEqual(RUNAWAY_MIN_MS);
  });
});
