import { expect } from "vitest";
import type { RolloutState, RolloutView, ScriptSource } from "../../../platform/tenants-api";
import { api, settled } from "./support";

/** A tenant app that answers its GREETING and which version of the code it is. */
export const versionedApp = (version: string): ScriptSource => ({
  mainModule: "index.js",
  modules: { "index.js": `export default { fetch: (_, env) => new Response(env.GREETING + " ${version}") };` },
});

/**
 * Onboards `count` small tenants (a script and vars, no storage), ten at a time: each ten settled
 * before the next are sent. Their code is accepted after the first, so a POST answers at once and
 * the provisionings would otherwise all upload together, more than the API's 3 s timeout in these
 * tests allows on a loaded machine.
 */
export async function onboardMany(prefix: string, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(2, "0")}`);
  for (let i = 0; i < ids.length; i += 10) {
    const group = ids.slice(i, i + 10);
    await Promise.all(
      group.map(async (id) => {
        const created = await api("POST", "/v1/tenants", {
          id,
          plan: "free",
          resources: { kv: false, r2: false, d1: false },
          script: versionedApp("v1"),
          vars: { GREETING: id },
        });
        expect(created.status, created.text).toBe(202);
      }),
    );
    for (const id of group) expect((await settled(id, ["active", "failed"])).state).toBe("active");
  }
  return ids;
}

export async function getRollout(id: string): Promise<RolloutView> {
  const { status, json, text } = await api("GET", `/v1/rollouts/${id}`);
  expect(status, text).toBe(200);
  return json as unknown as RolloutView;
}

/** Polls the rollout until it is in one of `states` (by default: no longer running) and has nothing under way. */
export async function rolloutReaches(
  id: string,
  states: readonly RolloutState[] = ["paused", "completed", "failed", "rolled_back"],
  timeoutMs = 90_000,
): Promise<RolloutView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const rollout = await getRollout(id);
    if (states.includes(rollout.state)) return rollout;
    if (Date.now() > deadline) throw new Error(`rollout not ${states.join("/")}: ${JSON.stringify(rollout)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function startRollout(body: Record<string, unknown>): Promise<RolloutView> {
  const started = await api("POST", "/v1/rollouts", body);
  expect(started.status, started.text).toBe(202);
  return started.json as unknown as RolloutView;
}
