import { beforeAll, describe, expect, it } from "vitest";
import type { RolloutList, RolloutSummary } from "../../../platform/tenants-api";
import { expectError } from "./api-support";
import { onboardMany, rolloutReaches, startRollout, versionedApp } from "./rollout-support";
import { api, ensureNamespace } from "./support";

beforeAll(ensureNamespace);

async function page(query: string): Promise<RolloutList> {
  const { status, json, text } = await api("GET", `/v1/rollouts?${query}`);
  expect(status, text).toBe(200);
  return json as unknown as RolloutList;
}

describe("GET /v1/rollouts", () => {
  it("lists rollouts newest first, a page at a time, each with its state and counts", async () => {
    const prefix = `rl${crypto.randomUUID().slice(0, 6)}`;
    const tenants = await onboardMany(prefix, 2);
    const started: string[] = [];
    for (let i = 0; i < 3; i++) {
      const rollout = await startRollout({
        script: versionedApp(`v${i + 2}`),
        filter: { tenants },
        canary: { tenants: 1 },
      });
      started.push(rollout.id);
      await rolloutReaches(rollout.id, ["paused"]);
      if (i < 2) expect((await api("POST", `/v1/rollouts/${rollout.id}/rollback`, {})).status).toBe(202);
      await rolloutReaches(rollout.id, ["paused", "rolled_back"]);
    }
    // Walk pages of one until all three started here are seen: newest first, each once.
    const seen: RolloutSummary[] = [];
    let cursor: string | null = null;
    do {
      const answer: RolloutList = await page(
        cursor === null ? "limit=1" : `limit=1&cursor=${encodeURIComponent(cursor)}`,
      );
      expect(answer.rollouts.length).toBeLessThanOrEqual(1);
      seen.push(...answer.rollouts);
      cursor = answer.cursor;
    } while (cursor !== null && !started.every((id) => seen.some((rollout) => rollout.id === id)));
    const ours = seen.filter((rollout) => started.includes(rollout.id));
    expect(ours.map((rollout) => rollout.id)).toEqual([...started].reverse());
    expect(new Set(seen.map((rollout) => rollout.id)).size).toBe(seen.length);
    const newest = ours[0] as RolloutSummary;
    expect(newest).toMatchObject({
      state: "paused",
      phase: "canary",
      autoResume: false,
      total: 2,
      succeeded: 1,
      failed: 0,
      pending: 1,
      canary: { count: 1, succeeded: 1, failed: 0, pending: 0 },
      paused: { reason: "awaiting_resume", until: null },
    });
    expect(ours[1]).toMatchObject({ state: "rolled_back", phase: "rollback", paused: null });
  }, 120_000);

  it("refuses a cursor it did not give", async () => {
    for (const cursor of ["nope", btoa("[1,2]"), btoa(JSON.stringify(["2026-01-01T00:00:00.000Z", "not-a-uuid"]))]) {
      expectError(
        await api("GET", `/v1/rollouts?cursor=${encodeURIComponent(cursor)}`),
        400,
        "invalid_request",
        "cursor",
      );
    }
    expect((await api("GET", "/v1/rollouts?limit=0")).status).toBe(400);
  });
});
