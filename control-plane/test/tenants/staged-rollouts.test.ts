import { abortAllDurableObjects } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { liveVersionOf } from "../../src/rollouts/deploy-batch";
import { eventually } from "./eventually";
import { getRollout, onboardMany, rolloutReaches, startRollout, versionedApp } from "./rollout-support";
import { api, clearFaults, ensureNamespace, injectFault, testEnv, uniqueId, visit } from "./support";

beforeAll(ensureNamespace);
afterEach(clearFaults);

/** What each tenant serves now: `<id> v1` or `<id> v2`. */
async function served(ids: readonly string[]): Promise<Map<string, string>> {
  const answers = new Map<string, string>();
  for (const id of ids) answers.set(id, await (await visit(id, "/")).text());
  return answers;
}

/** Each tenant's live version (its deployment's largest share), from the registry. */
async function liveVersions(ids: readonly string[]): Promise<Map<string, string | null>> {
  const live = new Map<string, string | null>();
  for (const id of ids) {
    const row = await testEnv.DB.prepare("SELECT deployment FROM tenants WHERE id = ?")
      .bind(id)
      .first<{ deployment: string }>();
    live.set(id, liveVersionOf(JSON.parse(row?.deployment ?? "[]")));
  }
  return live;
}

/** The canary the rollout must choose: the `count` tenants with the lowest SHA-256 of `<rollout id>:<tenant id>`. */
async function expectedCanary(rolloutId: string, ids: readonly string[], count: number): Promise<string[]> {
  const ranked = await Promise.all(
    ids.map(async (id) => {
      const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${rolloutId}:${id}`));
      return { id, rank: [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("") };
    }),
  );
  return ranked
    .sort((a, b) => a.rank.localeCompare(b.rank))
    .slice(0, count)
    .map((entry) => entry.id)
    .sort();
}

const post = (path: string) => api("POST", path, {});

describe("staged rollouts over 50 tenants", () => {
  let ids: string[] = [];
  beforeAll(async () => {
    ids = await onboardMany(uniqueId("stg"), 50);
  }, 300_000);

  it("deploys a canary and pauses; resumes to every tenant; a rollback returns each to its version from before; crashes on the way are resumed", async () => {
    const before = await liveVersions(ids);
    for (const id of ids) expect(before.get(id), `${id} has a live version`).toEqual(expect.any(String));

    const started = await startRollout({
      script: versionedApp("v2"),
      filter: { tenants: ids },
      canary: { percent: 10 },
    });
    expect(started).toMatchObject({ state: "running", phase: "canary", autoResume: false, total: 50 });
    expect(started.canary.count).toBe(5);
    // Reset mid-canary: the rollout goes on from the registry.
    await abortAllDurableObjects();

    const paused = await rolloutReaches(started.id, ["paused", "completed", "failed"]);
    expect(paused).toMatchObject({
      state: "paused",
      phase: "canary",
      succeeded: 5,
      failed: 0,
      pending: 45,
      canary: { count: 5, succeeded: 5, failed: 0, pending: 0 },
      paused: { reason: "awaiting_resume", until: null },
      health: null,
      rollback: null,
    });
    expect(paused.paused?.message).toContain(`/v1/rollouts/${started.id}/resume`);
    expect(paused.canary.tenants).toEqual(await expectedCanary(started.id, ids, 5));
    const canary = new Set(paused.canary.tenants);

    // Only the canary runs the new code; it stays so while paused.
    for (const [id, text] of await served(ids)) expect(text).toBe(canary.has(id) ? `${id} v2` : `${id} v1`);
    const afterCanary = await liveVersions(ids);
    for (const id of ids) {
      if (canary.has(id)) expect(afterCanary.get(id), id).not.toBe(before.get(id));
      else expect(afterCanary.get(id), id).toBe(before.get(id));
    }
    expect((await getRollout(started.id)).state).toBe("paused");

    const resumed = await post(`/v1/rollouts/${started.id}/resume`);
    expect(resumed.status, resumed.text).toBe(202);
    expect(resumed.json).toMatchObject({ state: "running", phase: "fleet", paused: null });
    // A second resume finds it running: 409, saying why.
    const again = await post(`/v1/rollouts/${started.id}/resume`);
    expect(again.status, again.text).toBe(409);
    expect(again.text).toContain("only a paused rollout can be resumed");
    await abortAllDurableObjects();

    const done = await rolloutReaches(started.id, ["completed", "failed"]);
    expect(done).toMatchObject({ state: "completed", phase: "fleet", succeeded: 50, failed: 0, pending: 0 });
    for (const [id, text] of await served(ids)) expect(text).toBe(`${id} v2`);

    // Each item recorded the version its tenant had live when the rollout submitted it.
    const recorded = await testEnv.DB.prepare(
      "SELECT tenant_id, previous_version_id FROM rollout_items WHERE rollout_id = ?",
    )
      .bind(started.id)
      .all<{ tenant_id: string; previous_version_id: string | null }>();
    expect(new Map(recorded.results.map((row) => [row.tenant_id, row.previous_version_id]))).toEqual(before);

    const rollingBack = await post(`/v1/rollouts/${started.id}/rollback`);
    expect(rollingBack.status, rollingBack.text).toBe(202);
    expect(rollingBack.json).toMatchObject({
      state: "rolling_back",
      phase: "rollback",
      rollback: { skipped: 0, failed: 0 },
    });
    await abortAllDurableObjects();

    const rolledBack = await rolloutReaches(started.id, ["rolled_back"]);
    expect(rolledBack.rollback).toEqual({ succeeded: 50, failed: 0, pending: 0, skipped: 0, failures: [] });
    for (const [id, text] of await served(ids)) expect(text).toBe(`${id} v1`);
    expect(await liveVersions(ids)).toEqual(before);

    // Nothing more to do with it: both requests are 409s, and it stays rolled back.
    const resumeAfter = await post(`/v1/rollouts/${started.id}/resume`);
    expect(resumeAfter.status, resumeAfter.text).toBe(409);
    const rollbackAfter = await post(`/v1/rollouts/${started.id}/rollback`);
    expect(rollbackAfter.status, rollbackAfter.text).toBe(409);
    expect(rollbackAfter.text).toContain("rolled back already");
    expect((await getRollout(started.id)).state).toBe("rolled_back");
  });

  it("a rollback while paused returns the canary alone; the tenants never reached are skipped and keep their code", async () => {
    const subset = ids.slice(0, 12);
    const before = await liveVersions(subset);
    const servedBefore = await served(subset);
    const started = await startRollout({
      script: versionedApp("v3"),
      filter: { tenants: subset },
      canary: { tenants: 3 },
    });
    const paused = await rolloutReaches(started.id, ["paused", "completed", "failed"]);
    expect(paused).toMatchObject({ state: "paused", succeeded: 3, pending: 9, canary: { count: 3 } });
    const canary = new Set(paused.canary.tenants);
    for (const [id, text] of await served(subset)) {
      expect(text).toBe(canary.has(id) ? `${id} v3` : servedBefore.get(id));
    }

    const rollingBack = await post(`/v1/rollouts/${started.id}/rollback`);
    expect(rollingBack.status, rollingBack.text).toBe(202);
    const rolledBack = await rolloutReaches(started.id, ["rolled_back"]);
    expect(rolledBack).toMatchObject({ state: "rolled_back", phase: "rollback", succeeded: 3, pending: 9 });
    expect(rolledBack.rollback).toEqual({ succeeded: 3, failed: 0, pending: 0, skipped: 9, failures: [] });
    expect(await served(subset)).toEqual(servedBefore);
    expect(await liveVersions(subset)).toEqual(before);
    // The rollout deployed nothing more once asked to roll back.
    const rest = await testEnv.DB.prepare(
      "SELECT COUNT(*) AS n FROM rollout_items WHERE rollout_id = ? AND operation_id IS NOT NULL",
    )
      .bind(started.id)
      .first<{ n: number }>();
    expect(rest?.n).toBe(3);
  });

  it("a rollback asked while a tenant's deploy is still under way queues behind it: the tenant ends on its code from before", async () => {
    const trio = ids.slice(44, 47);
    const held = trio[1] as string;
    const servedBefore = await served(trio);
    // The held tenant's upload is answered late (within the client's timeout): its deploy is under way a while.
    await injectFault({
      method: "PUT",
      path: `/accounts/*/workers/dispatch/namespaces/*/scripts/${held}`,
      times: 1,
      action: { kind: "delay", ms: 2_000 },
    });
    const started = await startRollout({
      script: versionedApp("v4"),
      filter: { tenants: trio },
      canary: { tenants: 0 },
    });
    await eventually(async () => {
      const tenant = (await api("GET", `/v1/tenants/${held}`)).json;
      return tenant.operation?.kind === "deploy" && tenant.operation.step === "upload_script" ? true : null;
    });
    const rollingBack = await post(`/v1/rollouts/${started.id}/rollback`);
    expect(rollingBack.status, rollingBack.text).toBe(202);

    const rolledBack = await rolloutReaches(started.id, ["rolled_back"]);
    expect(rolledBack.rollback).toEqual({ succeeded: 3, failed: 0, pending: 0, skipped: 0, failures: [] });
    expect(await served(trio)).toEqual(servedBefore);
    // The held tenant's deploy went through, then its rollback, in that order.
    const operations = await testEnv.DB.prepare(
      "SELECT kind, state FROM operations WHERE tenant_id = ? AND rollout_id = ? ORDER BY created_at",
    )
      .bind(held, started.id)
      .all<{ kind: string; state: string }>();
    expect(operations.results).toEqual([
      { kind: "deploy", state: "succeeded" },
      { kind: "deployment", state: "succeeded" },
    ]);
  });

  it("a round that fails (a registry row it cannot read) is logged and tried again; the rollout then goes on", async () => {
    const pair = ids.slice(40, 42);
    const row = await testEnv.DB.prepare("SELECT deployment FROM tenants WHERE id = ?")
      .bind(pair[0])
      .first<{ deployment: string }>();
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    await testEnv.DB.prepare("UPDATE tenants SET deployment = 'not json' WHERE id = ?").bind(pair[0]).run();
    let started: Awaited<ReturnType<typeof startRollout>>;
    try {
      started = await startRollout({ script: versionedApp("v1"), filter: { tenants: pair }, canary: { tenants: 0 } });
      const id = started.id;
      await eventually(async () =>
        logged.mock.calls.some((call) => String(call[0]).startsWith(`rollout ${id}: `)) ? true : null,
      );
      expect((await getRollout(id)).state).toBe("running");
    } finally {
      await testEnv.DB.prepare("UPDATE tenants SET deployment = ? WHERE id = ?").bind(row?.deployment, pair[0]).run();
      logged.mockRestore();
    }
    expect(await rolloutReaches(started.id, ["completed", "failed"])).toMatchObject({
      state: "completed",
      succeeded: 2,
    });
  });

  it("a canary of every selected tenant completes without pausing; canary 0 goes through at once", async () => {
    const pair = ids.slice(20, 22);
    const whole = await startRollout({ script: versionedApp("v1"), filter: { tenants: pair }, canary: { tenants: 2 } });
    expect(whole.canary.count).toBe(2);
    expect(await rolloutReaches(whole.id, ["paused", "completed", "failed"])).toMatchObject({
      state: "completed",
      succeeded: 2,
    });
    const none = await startRollout({ script: versionedApp("v1"), filter: { tenants: pair }, canary: { tenants: 0 } });
    expect(none).toMatchObject({ phase: "fleet", canary: { count: 0, tenants: [] } });
    expect(await rolloutReaches(none.id, ["paused", "completed", "failed"])).toMatchObject({ state: "completed" });
  });
});
