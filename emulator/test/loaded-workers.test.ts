import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { AccountId } from "../../cloudflare-api/names";
import { COMPATIBILITY_DATE } from "../../platform/compatibility-date";
import type { Exports } from "../src/bindings/kind";
import { LoadedWorkers } from "../src/dispatch/loaded-workers";
import { type LoadedRun, runLoaded } from "../src/dispatch/run-loaded";
import { EVICT_ENTRYPOINT } from "../src/dispatch/shim";

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

  it("says when the earliest worker it kept only for being used lately may go", () => {
    const loaded = new LoadedWorkers(1, 1000);
    const busy = loaded.begin("a", "a@1", ["a@1"], 0);
    loaded.begin("b", "b@1", ["b@1"], 100)(100);
    loaded.begin("c", "c@1", ["c@1"], 200)(200);
    expect(loaded.takeEvictable(300)).toEqual([]);
    // "a" is in flight: its request's end looks again. "b" is the earliest idle one.
    expect(loaded.nextEvictionAt()).toBe(1100);
    expect(loaded.takeEvictable(1100)).toEqual(["b@1~0"]);
    expect(loaded.nextEvictionAt()).toBe(1200);
    busy(1150);
    expect(loaded.takeEvictable(1200)).toEqual(["c@1~0"]);
    // Within capacity again: nothing is due.
    expect(loaded.nextEvictionAt()).toBeNull();
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

describe("idle workers past the bound", () => {
  /** A worker that counts the requests its isolate served, and ends its isolate when evicted, as the shim's does. */
  const counting = (script: string, loaded: LoadedWorkers): LoadedRun => ({
    loader: env.LOADER,
    loaded,
    exports: exports as unknown as Exports,
    scope: { accountId: "sweep" as AccountId, namespace: "sweep", script },
    etag: "1",
    deployedEtags: ["1"],
    outboundParams: null,
    tail: false,
    code: async () => ({
      compatibilityDate: COMPATIBILITY_DATE,
      mainModule: "index.js",
      modules: {
        "index.js": `import { WorkerEntrypoint, abortIsolate } from "cloudflare:workers";
let served = 0;
export class ${EVICT_ENTRYPOINT} extends WorkerEntrypoint { evict() { abortIsolate("evicted"); } }
export default { fetch() { return new Response(String(++served)); } };`,
      },
      globalOutbound: null,
    }),
  });
  const served = async (run: LoadedRun) => (await runLoaded(run, new Request("http://x/"))).text();

  it("are ended once idle long enough, with no request to make them go", async () => {
    // Idle long enough only after 2 s: a busy machine's load of "second" must not take that long.
    const loaded = new LoadedWorkers(1, 2000);
    const first = counting(`first-${crypto.randomUUID()}`, loaded);
    expect(await served(first)).toBe("1");
    expect(await served(first)).toBe("2");
    // Over the bound, but "first" served less than 2 s ago: it stays, and a sweep is due.
    await served(counting(`second-${crypto.randomUUID()}`, loaded));
    expect(loaded.size).toBe(2);
    expect(loaded.nextEvictionAt()).not.toBeNull();
    // No request from here on: the sweep alone brings the loaded workers back within the bound.
    await expect.poll(() => loaded.size, { interval: 50, timeout: 10_000 }).toBe(1);
    expect(loaded.nextEvictionAt()).toBeNull();
    // "first" was the one ended: it starts again from a new isolate.
    expect(await served(first)).toBe("1");
  });
});
