import { describe, expect, it } from "vitest";
import { runnerIndexFor } from "../src/runner/placement";
import { ACCOUNT } from "./helpers";

describe("which runner runs a script", () => {
  const script = (name: string) => ({ accountId: ACCOUNT, namespace: "ns", script: name });

  it("is the same one every time, among those there are", () => {
    for (const runners of [1, 2, 3, 8]) {
      const index = runnerIndexFor(script("shop"), runners);
      expect(index).toBeGreaterThanOrEqual(0);
      expect(index).toBeLessThan(runners);
      expect(runnerIndexFor(script("shop"), runners)).toBe(index);
    }
  });

  it("spreads scripts over the runners", () => {
    const counts = [0, 0];
    for (let i = 0; i < 1_000; i++) (counts[runnerIndexFor(script(`tenant-${i}`), 2)] as number)++;
    for (const count of counts) expect(count).toBeGreaterThan(400);
  });
});
