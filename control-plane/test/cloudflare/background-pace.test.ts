import { describe, expect, it } from "vitest";
import { BackgroundPace } from "../../src/cloudflare/background-pace";

describe("the pace of background calls", () => {
  it("lets a burst of a twentieth of the allowance go at once, then one call per window / limit", () => {
    const pace = new BackgroundPace();
    // 300 per 11 s: a burst of 15, then one every 36.7 ms.
    const limit = 300;
    const windowMs = 11_000;
    for (let i = 0; i < 15; i++) {
      expect(pace.nextAt(limit, windowMs, 1_000)).toBe(1_000);
      pace.take(limit, windowMs, 1_000);
    }
    expect(pace.nextAt(limit, windowMs, 1_000)).toBe(1_000 + Math.ceil(windowMs / limit));
    pace.take(limit, windowMs, 1_037);
    expect(pace.nextAt(limit, windowMs, 1_037)).toBeGreaterThan(1_037);
    // A quiet spell fills the bucket again, up to the burst and no more.
    const later = 1_037 + windowMs;
    for (let i = 0; i < 15; i++) pace.take(limit, windowMs, later);
    expect(pace.nextAt(limit, windowMs, later)).toBeGreaterThan(later);
  });

  it("a small allowance still lets one call through at a time", () => {
    const pace = new BackgroundPace();
    expect(pace.nextAt(3, 1_500, 0)).toBe(0);
    pace.take(3, 1_500, 0);
    expect(pace.nextAt(3, 1_500, 0)).toBe(500);
    expect(pace.nextAt(3, 1_500, 500)).toBe(500);
  });
});
