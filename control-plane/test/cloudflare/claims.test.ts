import { describe, expect, it } from "vitest";
import type { CallPriority } from "../../src/cloudflare/call-priority";
import { CLAIM_HOLD_MS, OperationClaims } from "../../src/cloudflare/claims";

const call = (since: number, id?: string, later = 0): CallPriority => ({
  class: "operation",
  since,
  ...(id === undefined ? {} : { work: { id, later } }),
});

describe("the calls operations claim in the API budget", () => {
  it("counts the claims of older operations only, its own aside, until they lapse", () => {
    const claims = new OperationClaims();
    claims.granted(call(10, "old", 4), 0);
    claims.granted(call(20, "mid", 2), 0);
    expect(claims.olderThan(call(30, "new", 5), 0)).toBe(6);
    expect(claims.olderThan(call(20, "mid", 1), 0)).toBe(4);
    expect(claims.olderThan(call(10, "old", 3), 0)).toBe(0);
    // A call that belongs to no operation is as old as its ask: behind every claim older than that.
    expect(claims.olderThan(call(15), 0)).toBe(4);
    // Created the same millisecond: the smaller id is the older.
    expect(claims.olderThan(call(20, "mie", 1), 0)).toBe(6);
    expect(claims.nextLapse()).toBe(CLAIM_HOLD_MS);
    expect(claims.olderThan(call(30, "new", 5), CLAIM_HOLD_MS)).toBe(0);
    expect(claims.nextLapse()).toBeNull();
  });

  it("shrinks a claim with each call granted, ends it with the last, and renews its hold each time", () => {
    const claims = new OperationClaims();
    claims.granted(call(10, "op", 3), 0);
    claims.granted(call(10, "op", 2), 1_000);
    expect(claims.olderThan(call(20, "other"), 1_000)).toBe(2);
    expect(claims.nextLapse()).toBe(1_000 + CLAIM_HOLD_MS);
    claims.granted(call(10, "op", 0), 2_000);
    expect(claims.olderThan(call(20, "other"), 2_000)).toBe(0);
    // A call with no operation named claims nothing.
    claims.granted(call(5), 2_000);
    expect(claims.nextLapse()).toBeNull();
  });
});
