import { abortAllDurableObjects } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RolloutView, TenantView } from "../../../platform/tenants-api";
import { versionedApp as app, onboardMany, rolloutReaches } from "./rollout-support";
import { api, clearFaults, ensureNamespace, faultNow, injectFault, testEnv, uniqueId, visit } from "./support";

beforeAll(ensureNamespace);
afterEach(clearFaults);

describe("rollouts", () => {
  it("re-uploads 50 tenants' code with their bindings kept; one failing for good in the middle fails alone; a crash half way is resumed", async () => {
    const prefix = uniqueId("fleet");
    const ids = await onboardMany(prefix, 50);
    const unlucky = ids[25] as string;
    await injectFault({
      method: "PUT",
      path: `/accounts/*/workers/dispatch/namespaces/*/scripts/${unlucky}`,
      times: 1000,
      action: { kind: "fail", status: 500, code: 10000, message: "Injected: upload down" },
    });

    // One tenant's upload in the rollout is held by the emulator (longer than the client's timeout): the
    // reset comes while that deploy is running its upload_script step, its call in flight.
    const held = ids[20] as string;
    const hang = await injectFault({
      method: "PUT",
      path: `/accounts/*/workers/dispatch/namespaces/*/scripts/${held}`,
      times: 1,
      action: { kind: "hang", ms: 60_000 },
    });

    // No canary: the whole fleet at once (staged rollouts: staged-rollouts.test.ts).
    const started = await api("POST", "/v1/rollouts", {
      script: app("v2"),
      filter: { tenants: ids },
      canary: { tenants: 0 },
    });
    expect(started.status, started.text).toBe(202);
    const rollout = started.json as unknown as RolloutView;
    expect(rollout).toMatchObject({ state: "running", phase: "fleet", total: 50, canary: { count: 0, tenants: [] } });

    // The control plane's objects are reset while the rollout is under way: it resumes from the registry.
    let before: TenantView | undefined;
    const deadline = Date.now() + 60_000;
    for (;;) {
      before = (await api("GET", `/v1/tenants/${held}`)).json;
      if (before.operation?.step === "upload_script" && (await faultNow(hang.id)).hits === 1) break;
      if (Date.now() > deadline) throw new Error(`${held}'s upload was never held: ${JSON.stringify(before)}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const midway = (await api("GET", `/v1/rollouts/${rollout.id}`)).json as unknown as RolloutView;
    // Mid-step: the held tenant's deploy is running upload_script, whose call the emulator holds right now.
    expect(before?.operation).toMatchObject({ kind: "deploy", state: "running", step: "upload_script" });
    // Half way: ten deploys at a time in id order, so ids[20] went out only once at least 11 before it had
    // succeeded; and the rollout, with that deploy unfinished, is still running.
    expect(midway.state).toBe("running");
    expect(midway.succeeded).toBeGreaterThanOrEqual(11);
    expect(midway.pending).toBeGreaterThan(0);
    await abortAllDurableObjects();

    const done = await rolloutReaches(rollout.id);
    expect(done).toMatchObject({ state: "completed", total: 50, succeeded: 49, failed: 1, pending: 0 });
    expect(done.failures).toEqual([{ tenantId: unlucky, message: expect.stringContaining("Injected: upload down") }]);
    for (const id of ids) {
      // Vars kept: each tenant still greets with its own GREETING.
      expect(await (await visit(id, "/")).text()).toBe(id === unlucky ? `${id} v1` : `${id} v2`);
    }
    const failedTenant = (await api("GET", `/v1/tenants/${unlucky}`)).json;
    expect(failedTenant.state).toBe("active");
    expect(failedTenant.lastError?.message).toContain("Injected: upload down");
    // The held upload_script ran twice and never failed: its first run was cut by the reset, not ended by the
    // client's timeout or an error (either would have left the operation's error), and the second succeeded.
    const step = await testEnv.DB.prepare(
      `SELECT s.attempts, s.state, o.state AS operation, o.error FROM operation_steps s
       JOIN operations o ON o.id = s.operation_id
       WHERE o.tenant_id = ? AND o.rollout_id = ? AND s.name = 'upload_script'`,
    )
      .bind(held, rollout.id)
      .all<{ attempts: number; state: string; operation: string; error: string | null }>();
    expect(step.results).toEqual([{ attempts: 2, state: "succeeded", operation: "succeeded", error: null }]);
  });

  it("selects tenants by plan, and an empty selection completes at once", async () => {
    const empty = await api("POST", "/v1/rollouts", { script: app("v3"), filter: { tenants: ["no-such-tenant"] } });
    expect(empty.status).toBe(202);
    // The default canary (10%, rounded up) of no tenants is none: nothing to pause for.
    expect(await rolloutReaches((empty.json as unknown as RolloutView).id)).toMatchObject({
      state: "completed",
      total: 0,
      canary: { count: 0 },
    });
  });

  it("GET of an unknown rollout is 404, of a malformed id 400", async () => {
    expect((await api("GET", `/v1/rollouts/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await api("GET", "/v1/rollouts/not-a-uuid")).status).toBe(400);
  });
});
