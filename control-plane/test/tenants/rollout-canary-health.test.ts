import { abortAllDurableObjects } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configOf } from "../../src/config";
import type { Env } from "../../src/env";
import {
  type CanaryHealth,
  judgeCanary,
  type TimeWindow,
  type TrafficCounts,
  useCanaryHealth,
} from "../../src/rollouts/canary-health";
import { getRollout, onboardMany, rolloutReaches, startRollout, versionedApp } from "./rollout-support";
import { api, ensureNamespace, testEnv, uniqueId, visit } from "./support";

beforeAll(ensureNamespace);

/** What each tenant's traffic is said to be before its canary deploy and after, for the source below. */
const scenario = new Map<string, { before: TrafficCounts; after: TrafficCounts }>();
const asked: { tenantIds: string[]; window: TimeWindow }[] = [];

/** When the canary holding `tenantId` started deploying (the newest such rollout), from the registry. */
async function canaryStartedAt(db: D1Database, tenantId: string): Promise<number> {
  const row = await db
    .prepare(
      `SELECT r.canary_started_at FROM rollouts r JOIN rollout_items i ON i.rollout_id = r.id
       WHERE i.tenant_id = ? AND i.canary = 1 ORDER BY r.created_at DESC LIMIT 1`,
    )
    .bind(tenantId)
    .first<{ canary_started_at: string }>();
  return Date.parse(row?.canary_started_at ?? "");
}

/**
 * The dispatcher's metering, as the tests say it is: a window that ends by
 * the canary's start is "before", any other "after".
 */
const source = (env: Env): CanaryHealth => ({
  async traffic(tenantIds, window) {
    asked.push({ tenantIds: [...tenantIds], window });
    const counts = new Map<string, TrafficCounts>();
    for (const id of tenantIds) {
      const known = scenario.get(id);
      if (known === undefined) continue;
      const before = window.to.getTime() <= (await canaryStartedAt(env.DB, id));
      counts.set(id, before ? known.before : known.after);
    }
    return counts;
  },
});

beforeAll(() => useCanaryHealth(source));
afterAll(() => useCanaryHealth(undefined));

const OBSERVATION_MS = configOf(testEnv).canary.observationMs;
const TOLERANCE = configOf(testEnv).canary.errorRateTolerance;

describe("judging a canary", () => {
  const window = (from: number) => ({ from: new Date(from), to: new Date(from + 1000) });
  const at = new Date(5000);
  it("healthy when the rate after is at most the rate before plus the tolerance", () => {
    const judged = judgeCanary(
      { requests: 100, errors: 1, ...window(0) },
      { requests: 200, errors: 4, ...window(2000) },
      0.01,
      at,
    );
    expect(judged).toMatchObject({
      verdict: "healthy",
      before: { rate: 0.01 },
      after: { rate: 0.02 },
      tolerance: 0.01,
    });
  });
  it("a rise beyond the tolerance, with or without traffic before", () => {
    expect(
      judgeCanary({ requests: 100, errors: 1, ...window(0) }, { requests: 100, errors: 3, ...window(2000) }, 0.01, at)
        .verdict,
    ).toBe("error_rate_rose");
    const fresh = judgeCanary(
      { requests: 0, errors: 0, ...window(0) },
      { requests: 10, errors: 1, ...window(2000) },
      0.01,
      at,
    );
    expect(fresh).toMatchObject({ verdict: "error_rate_rose", before: { rate: null }, after: { rate: 0.1 } });
  });
  it("no requests after the deploy cannot be judged", () => {
    expect(
      judgeCanary({ requests: 100, errors: 50, ...window(0) }, { requests: 0, errors: 0, ...window(2000) }, 0.01, at),
    ).toMatchObject({
      verdict: "no_traffic",
      after: { rate: null, from: new Date(2000).toISOString(), to: new Date(3000).toISOString() },
    });
  });
});

describe("autoResume", () => {
  let ids: string[] = [];
  beforeAll(async () => {
    ids = await onboardMany(uniqueId("auto"), 12);
  }, 120_000);

  /** A rollout over four tenants, two of them the canary, whose traffic `traffic` gives. */
  async function autoRollout(group: string[], traffic: { before: TrafficCounts; after: TrafficCounts }) {
    for (const id of group) scenario.set(id, traffic);
    return startRollout({
      script: versionedApp("v2"),
      filter: { tenants: group },
      canary: { tenants: 2 },
      autoResume: true,
    });
  }

  it("goes on by itself when the canary's error rate did not rise, having asked about the canary alone over both windows", async () => {
    const group = ids.slice(0, 4);
    const started = await autoRollout(group, {
      before: { requests: 100, errors: 2 },
      after: { requests: 100, errors: 2 },
    });
    expect(started).toMatchObject({ autoResume: true, phase: "canary", canary: { count: 2 } });
    const observing = await rolloutReaches(started.id, ["paused", "completed", "failed"]);
    // Either seen while observing or already past it: a completed rollout was judged healthy (checked below).
    if (observing.state === "paused")
      expect(observing.paused).toMatchObject({ reason: "observing", until: expect.any(String) });

    const done = await rolloutReaches(started.id, ["completed", "failed"]);
    expect(done).toMatchObject({ state: "completed", phase: "fleet", succeeded: 4, paused: null });
    expect(done.health).toMatchObject({
      verdict: "healthy",
      before: { requests: 200, errors: 4, rate: 0.02 },
      after: { requests: 200, errors: 4, rate: 0.02 },
      tolerance: TOLERANCE,
    });
    for (const id of group) expect(await (await visit(id, "/")).text()).toBe(`${id} v2`);

    // The windows: as long as the observation, the one before ending as the canary started deploying,
    // the one after starting as its deploys had all ended; both about the canary's tenants alone.
    const row = await testEnv.DB.prepare("SELECT canary_started_at, canary_done_at FROM rollouts WHERE id = ?")
      .bind(started.id)
      .first<{ canary_started_at: string; canary_done_at: string }>();
    const mine = asked.filter((call) => call.tenantIds.some((id) => group.includes(id)));
    expect(mine).toHaveLength(2);
    for (const call of mine) expect(call.tenantIds.sort()).toEqual([...done.canary.tenants].sort());
    const windows = mine.map((call) => [call.window.from.toISOString(), call.window.to.toISOString()]).sort();
    const startedAt = Date.parse(row?.canary_started_at ?? "");
    const doneAt = Date.parse(row?.canary_done_at ?? "");
    expect(windows).toEqual(
      [
        [new Date(startedAt - OBSERVATION_MS).toISOString(), new Date(startedAt).toISOString()],
        [new Date(doneAt).toISOString(), new Date(doneAt + OBSERVATION_MS).toISOString()],
      ].sort(),
    );
    expect(startedAt).toBeLessThanOrEqual(doneAt);
  });

  it("stays paused with the measured rates when the error rate rose; only the canary runs the new code; a rollback undoes it", async () => {
    const group = ids.slice(4, 8);
    const started = await autoRollout(group, {
      before: { requests: 100, errors: 1 },
      after: { requests: 100, errors: 10 },
    });
    // Reset while it deploys its canary or observes: the alarm carries it to its verdict.
    await abortAllDurableObjects();
    const paused = await waitForVerdict(started.id);
    expect(paused).toMatchObject({
      state: "paused",
      phase: "canary",
      succeeded: 2,
      pending: 2,
      paused: { reason: "error_rate_rose", until: null },
      health: { verdict: "error_rate_rose", before: { rate: 0.01 }, after: { rate: 0.1 } },
    });
    expect(paused.paused?.message).toContain("rose from 1.00% to 10.00%");
    const canary = new Set(paused.canary.tenants);
    for (const id of group) expect(await (await visit(id, "/")).text()).toBe(canary.has(id) ? `${id} v2` : `${id} v1`);

    const rollingBack = await api("POST", `/v1/rollouts/${started.id}/rollback`, {});
    expect(rollingBack.status, rollingBack.text).toBe(202);
    const rolledBack = await rolloutReaches(started.id, ["rolled_back"]);
    expect(rolledBack.rollback).toEqual({ succeeded: 2, failed: 0, pending: 0, skipped: 2, failures: [] });
    for (const id of group) expect(await (await visit(id, "/")).text()).toBe(`${id} v1`);
  });

  it("stays paused when the canary had no requests: nothing to judge by; a resume goes on", async () => {
    const group = ids.slice(8, 12);
    const started = await autoRollout(group, {
      before: { requests: 50, errors: 0 },
      after: { requests: 0, errors: 0 },
    });
    const paused = await waitForVerdict(started.id);
    expect(paused).toMatchObject({
      state: "paused",
      paused: { reason: "no_traffic" },
      health: { verdict: "no_traffic", after: { requests: 0, rate: null } },
    });
    const resumed = await api("POST", `/v1/rollouts/${started.id}/resume`, {});
    expect(resumed.status, resumed.text).toBe(202);
    expect(await rolloutReaches(started.id, ["completed", "failed"])).toMatchObject({
      state: "completed",
      succeeded: 4,
    });
  });
});

/** Polls until the rollout is paused for another reason than observing (or has ended). */
async function waitForVerdict(id: string) {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const rollout = await getRollout(id);
    if (rollout.state !== "running" && rollout.paused?.reason !== "observing") return rollout;
    if (Date.now() > deadline) throw new Error(`no verdict: ${JSON.stringify(rollout)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
