import { beforeAll, describe, expect, it } from "vitest";
import type { RolloutView, ScriptSource } from "../../../platform/tenants-api";
import { eventually } from "./eventually";
import { getRollout, onboardMany, startRollout, versionedApp } from "./rollout-support";
import { api, ensureNamespace, uniqueId, visit } from "./support";

// autoResume judged from the real metering: requests go through the dispatcher, whose METRICS is the
// emulator's Analytics Engine store, and the Rollout object reads them back with the SQL API (no
// source set by the test). The tenants get traffic all along, so both windows have some.

beforeAll(ensureNamespace);

/** Code that answers 500 to everything. */
const broken: ScriptSource = {
  mainModule: "index.js",
  modules: { "index.js": `export default { fetch: () => new Response("broken", { status: 500 }) };` },
};

/**
 * Sends requests to the tenants, one after another, until `stop` answers
 * true, then answers the rollout as it was then: traffic through the windows
 * before and after the canary, however long they take.
 */
async function trafficUntil(
  ids: readonly string[],
  stop: () => Promise<RolloutView | null>,
  rolloutId: string,
): Promise<RolloutView> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    for (const id of ids) await (await visit(id, "/")).text();
    // Paced: the Rollout object shares this isolate, and its alarm needs turns of its own.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const seen = await stop();
    if (seen !== null) return seen;
    if (Date.now() > deadline) {
      const tenants = await Promise.all(ids.map(async (id) => (await api("GET", `/v1/tenants/${id}`)).json.operation));
      throw new Error(`never judged: ${JSON.stringify(await getRollout(rolloutId))} ${JSON.stringify(tenants)}`);
    }
  }
}

/** The rollout, once it is no longer deploying its canary nor observing it. */
const judged = (id: string) => async () => {
  const rollout = await getRollout(id);
  const waiting = rollout.state === "running" || rollout.paused?.reason === "observing";
  return waiting && rollout.phase === "canary" ? null : rollout;
};

describe("autoResume, judged from the dispatcher's metering", () => {
  let ids: string[] = [];
  beforeAll(async () => {
    ids = await onboardMany(uniqueId("met"), 4);
    // Routed: every tenant answers through the dispatcher before the traffic that counts.
    for (const id of ids) await eventually(async () => ((await visit(id, "/")).status === 200 ? true : null));
  }, 60_000);

  it("holds a canary whose requests fail, with the rates measured; goes on with one whose requests succeed", async () => {
    const failing = ids.slice(0, 2);
    const bad = await startRollout({
      script: broken,
      filter: { tenants: failing },
      canary: { tenants: 1 },
      autoResume: true,
    });
    const held = await trafficUntil(failing, judged(bad.id), bad.id);
    expect(held).toMatchObject({
      state: "paused",
      phase: "canary",
      paused: { reason: "error_rate_rose" },
      health: { verdict: "error_rate_rose" },
    });
    // Windows are read to the whole second, so the one after may hold a few requests from just before the deploy.
    const { before, after } = held.health ?? { before: null, after: null };
    expect(after?.errors).toBeGreaterThan(0);
    expect(after?.rate).toBeGreaterThan((before?.rate ?? 0) + (held.health?.tolerance ?? 0));
    // Only the canary runs the broken code; the other tenant was never reached.
    const [canary] = held.canary.tenants;
    for (const id of failing) expect((await visit(id, "/")).status).toBe(id === canary ? 500 : 200);

    const healthy = ids.slice(2, 4);
    const good = await startRollout({
      script: versionedApp("v2"),
      filter: { tenants: healthy },
      canary: { tenants: 1 },
      autoResume: true,
    });
    const through = await trafficUntil(healthy, judged(good.id), good.id);
    expect(through.health).toMatchObject({ verdict: "healthy", after: { errors: 0 } });
    expect(through.health?.after.requests).toBeGreaterThan(0);
    expect(through.health?.before.requests).toBeGreaterThan(0);
    const done = await eventually(async () => {
      const rollout = await getRollout(good.id);
      return rollout.state === "completed" ? rollout : null;
    }, 60_000);
    expect(done).toMatchObject({ succeeded: 2, failed: 0 });
    for (const id of healthy) expect(await (await visit(id, "/")).text()).toBe(`${id} v2`);
  }, 120_000);
});
