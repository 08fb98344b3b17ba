import { beforeAll, describe, expect, it } from "vitest";
import type { RolloutView } from "../../../platform/tenants-api";
import { anonymous, expectError } from "./api-support";
import { onboardMany, rolloutReaches, startRollout, versionedApp } from "./rollout-support";
import { api, ensureNamespace, testEnv, uniqueId } from "./support";

beforeAll(ensureNamespace);

const rolloutCount = async () =>
  (await testEnv.DB.prepare("SELECT COUNT(*) AS n FROM rollouts").first<{ n: number }>())?.n ?? 0;

describe("the rollouts API", () => {
  let pair: string[] = [];
  beforeAll(async () => {
    pair = await onboardMany(uniqueId("rapi"), 2);
  }, 60_000);

  it("needs the platform's token on every rollout route", async () => {
    const id = crypto.randomUUID();
    const body = JSON.stringify({ script: versionedApp("v9"), filter: { tenants: pair } });
    for (const [method, path, sent] of [
      ["POST", "/v1/rollouts", body],
      ["GET", `/v1/rollouts/${id}`, undefined],
      ["POST", `/v1/rollouts/${id}/resume`, "{}"],
      ["POST", `/v1/rollouts/${id}/rollback`, "{}"],
    ] as const) {
      expectError(await anonymous(method, path, sent), 401, "unauthorized");
    }
    const wrong = await api("POST", `/v1/rollouts/${id}/resume`, {}, { authorization: "Bearer not-the-token" });
    expectError(wrong, 401, "unauthorized");
  });

  it("refuses a bad canary, naming the field, and creates nothing", async () => {
    const before = await rolloutCount();
    const create = (canary: unknown, extra: Record<string, unknown> = {}) =>
      api("POST", "/v1/rollouts", { script: versionedApp("v9"), filter: { tenants: pair }, canary, ...extra });

    const bigger = expectError(await create({ tenants: 3 }), 400, "invalid_request", "canary.tenants");
    expect(bigger.message).toContain("3 canary tenants are more than the 2 the filter selects");
    expectError(await create({ percent: 0 }), 400, "invalid_request", "canary");
    expectError(await create({ percent: 101 }), 400, "invalid_request", "canary");
    expectError(await create({ percent: -5 }), 400, "invalid_request", "canary");
    expectError(await create({ percent: "10%" }), 400, "invalid_request", "canary");
    expectError(await create({ tenants: 1, percent: 10 }), 400, "invalid_request", "canary");
    expectError(await create({ tenants: 1.5 }), 400, "invalid_request", "canary");
    expectError(await create({ tenants: -1 }), 400, "invalid_request", "canary");
    expectError(await create({}), 400, "invalid_request", "canary");
    expectError(await create({ tenants: 1 }, { autoResume: "yes" }), 400, "invalid_request", "autoResume");
    expect(await rolloutCount()).toBe(before);
  });

  it("resume and rollback: 404 for an unknown rollout, 400 for a malformed id or a body other than {}", async () => {
    for (const action of ["resume", "rollback"]) {
      expectError(await api("POST", `/v1/rollouts/${crypto.randomUUID()}/${action}`, {}), 404, "not_found");
      expectError(await api("POST", `/v1/rollouts/not-a-uuid/${action}`, {}), 400, "invalid_request", "id");
      expectError(
        await api("POST", `/v1/rollouts/${crypto.randomUUID()}/${action}`, { now: true }),
        400,
        "invalid_request",
      );
      const bare = await api("POST", `/v1/rollouts/${crypto.randomUUID()}/${action}`);
      expectError(bare, 400, "invalid_request");
    }
  });

  it("409s a resume of a rollout that is not paused and a rollback of one rolled back, saying why", async () => {
    // An empty selection completes at once.
    const empty = await startRollout({ script: versionedApp("v9"), filter: { tenants: ["no-such-tenant"] } });
    const done = await rolloutReaches(empty.id, ["completed"]);
    expect(done).toMatchObject({ state: "completed", total: 0, canary: { count: 0 } });

    const resume = expectError(await api("POST", `/v1/rollouts/${empty.id}/resume`, {}), 409, "conflict");
    expect(resume.message).toBe(`rollout ${empty.id} is completed: it has ended, there is nothing to resume`);

    const rollingBack = await api("POST", `/v1/rollouts/${empty.id}/rollback`, {});
    expect(rollingBack.status, rollingBack.text).toBe(202);
    const rolledBack = await rolloutReaches(empty.id, ["rolled_back"]);
    expect(rolledBack.rollback).toEqual({ succeeded: 0, failed: 0, pending: 0, skipped: 0, failures: [] });

    const again = expectError(await api("POST", `/v1/rollouts/${empty.id}/rollback`, {}), 409, "conflict");
    expect(again.message).toBe(`rollout ${empty.id} is rolled_back: it was rolled back already`);
    const resumeAfter = expectError(await api("POST", `/v1/rollouts/${empty.id}/resume`, {}), 409, "conflict");
    expect(resumeAfter.message).toContain("a rolled back rollout cannot be resumed");
  });

  it("takes a canary given as a percentage, rounded up, and shows its ids", async () => {
    const started = await startRollout({
      script: versionedApp("v1"),
      filter: { tenants: pair },
      canary: { percent: 1 },
    });
    expect(started.canary.count).toBe(1);
    const paused: RolloutView = await rolloutReaches(started.id, ["paused", "completed", "failed"]);
    expect(paused).toMatchObject({ state: "paused", paused: { reason: "awaiting_resume" }, canary: { count: 1 } });
    expect(paused.canary.tenants).toHaveLength(1);
    expect(pair).toContain(paused.canary.tenants[0]);
    const resumed = await api("POST", `/v1/rollouts/${started.id}/resume`, {});
    expect(resumed.status, resumed.text).toBe(202);
    expect(await rolloutReaches(started.id, ["completed", "failed"])).toMatchObject({
      state: "completed",
      succeeded: 2,
    });
  });
});
