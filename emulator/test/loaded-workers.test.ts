import { describe, expect, it } from "vitest";
import { LoadedWorkers } from "../src/dispatch/loaded-workers";

describe("which loaded workers are evicted", () => {
  it("gives a worker loaded again after its eviction a new name", () => {
    const loaded = new LoadedWorkers(0, 0);
    expect(loaded.nameFor("a@1")).toBe("a@1~0");
    loaded.begin("a", "a@1", ["a@1"], 0)(0);
    expect(loaded.takeEvictable(1)).toEqual(["a@1~0"]);
    expect(loaded.nameFor("a@1")).toBe("a@1~1");
  });

  it("keeps up to capacity, then evicts the least recently used idle ones", () => {
    const loaded = new LoadedWorkers(2, 1000);
    for (const [i, base] of ["a@1", "b@1", "c@1"].entries()) loaded.begin(base.slice(0, 1), base, [base], i)(i);
    // All three were used less than minIdle ago: none may go yet.
    expect(loaded.takeEvictable(500)).toEqual([]);
    loaded.begin("a", "a@1", ["a@1"], 1500)(1500);
    expect(loaded.takeEvictable(2500)).toEqual(["b@1~0"]);
    expect(loaded.size).toBe(2);
  });

  it("never evicts a worker with a request in flight", () => {
    const loaded = new LoadedWorkers(1, 0);
    const done = loaded.begin("a", "a@1", ["a@1"], 0);
    loaded.begin("b", "b@1", ["b@1"], 1)(1);
    // "a" is the least recently used, but busy: the idle "b" goes instead.
    expect(loaded.takeEvictable(10)).toEqual(["b@1~0"]);
    done(20);
    loaded.begin("c", "c@1", ["c@1"], 30)(30);
    expect(loaded.takeEvictable(40)).toEqual(["a@1~0"]);
  });

  it("evicts a superseded version of a script once it is idle, even under capacity", () => {
    const loaded = new LoadedWorkers(100, 1000);
    loaded.begin("a", "a@1", ["a@1"], 0)(0);
    loaded.begin("a", "a@2", ["a@2"], 10)(10);
    expect(loaded.takeEvictable(500)).toEqual([]);
    expect(loaded.takeEvictable(1200)).toEqual(["a@1~0"]);
    expect(loaded.takeEvictable(5000)).toEqual([]);
  });

  it("keeps both versions of a split deployment loaded, and evicts the one a later deployment drops", () => {
    const loaded = new LoadedWorkers(100, 1000);
    loaded.begin("a", "a@1", ["a@1", "a@2"], 0)(0);
    loaded.begin("a", "a@2", ["a@1", "a@2"], 10)(10);
    expect(loaded.takeEvictable(5000)).toEqual([]);
    loaded.begin("a", "a@2", ["a@2"], 6000)(6000);
    expect(loaded.takeEvictable(8000)).toEqual(["a@1~0"]);
  });

  it("evicts a superseded version that was busy on a later pass, and a split's other version once the LRU one goes", () => {
    const loaded = new LoadedWorkers(10, 0);
    const busy = loaded.begin("a", "a@1", ["a@1"], 0);
    loaded.begin("a", "a@2", ["a@2"], 10)(10);
    // a@1 is superseded but busy: nothing goes yet, and the pass after it is done still finds it.
    expect(loaded.takeEvictable(20)).toEqual([]);
    busy(30);
    expect(loaded.takeEvictable(40)).toEqual(["a@1~0"]);
    expect(loaded.takeEvictable(50)).toEqual([]);

    // A split over capacity: the least recently used version goes, and with it the split's claim to
    // stay loaded, so the other version is superseded and goes too, even within capacity.
    const split = new LoadedWorkers(1, 0);
    split.begin("b", "b@1", ["b@1", "b@2"], 0)(0);
    split.begin("b", "b@2", ["b@1", "b@2"], 10)(10);
    expect(split.takeEvictable(20)).toEqual(["b@1~0", "b@2~0"]);
  });
});
