import { applyD1Migrations } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { RolloutState, RolloutView } from "../../../platform/tenants-api";
import {
  COUNT_MOVE_SQL,
  countsOf,
  ITEM_STATES,
  ROLLBACK_STATES,
  RolloutCountColumns,
  type RolloutCounts,
} from "../../src/registry/rollout-counts";
import { MARK_ROLLBACK_SQL, PENDING_ROLLBACKS_SQL } from "../../src/registry/rollout-rollbacks";
import { inChunks, insertRollout, PENDING_ITEMS_SQL, updateItem } from "../../src/registry/rollouts";
import { eventually } from "./eventually";
import { getRollout, onboardMany, startRollout, versionedApp } from "./rollout-support";
import { api, clearFaults, ensureNamespace, injectFault, testEnv, uniqueId } from "./support";

// A rollout keeps its counts on its row (migrations/0011_rollout_counts.sql, src/registry/rollout-counts.ts):
// here they are compared with its items counted, through a whole rollout, after the migration's backfill,
// and the rounds' queries are shown to read indexes, not the rollout's items.

beforeAll(ensureNamespace);
afterEach(clearFaults);

const zeros = <S extends string>(states: readonly S[]) =>
  Object.fromEntries(states.map((state) => [state, 0])) as Record<S, number>;

/** The rollout's items counted (COUNT(*)), and the counts on its row, read in one batch: the same moment. */
async function countsNow(db: D1Database, id: string): Promise<{ row: RolloutCounts; counted: RolloutCounts }> {
  const [row, items] = await db.batch<Record<string, unknown>>([
    db.prepare("SELECT * FROM rollouts WHERE id = ?").bind(id),
    db
      .prepare(
        `SELECT canary, state, rollback_state, COUNT(*) AS n FROM rollout_items WHERE rollout_id = ?
         GROUP BY canary, state, rollback_state`,
      )
      .bind(id),
  ]);
  const counted: RolloutCounts = {
    all: zeros(ITEM_STATES),
    canary: zeros(ITEM_STATES),
    rollback: zeros(ROLLBACK_STATES),
  };
  for (const group of items?.results ?? []) {
    const { canary, state, rollback_state, n } = group as {
      canary: number;
      state: keyof RolloutCounts["all"];
      rollback_state: keyof RolloutCounts["rollback"] | null;
      n: number;
    };
    counted.all[state] += n;
    if (canary === 1) counted.canary[state] += n;
    if (rollback_state !== null) counted.rollback[rollback_state] += n;
  }
  return { row: countsOf(RolloutCountColumns.parse(row?.results[0])), counted };
}

/** Fails unless the row's counts are its items counted; answers them. */
async function expectCountsOfItems(db: D1Database, id: string): Promise<RolloutCounts> {
  const { row, counted } = await countsNow(db, id);
  expect(row, `rollout ${id}'s counts`).toEqual(counted);
  return counted;
}

/** Polls the rollout until it is in one of `states`, its counts compared with its items at every look on the way. */
const reaches = (id: string, states: readonly RolloutState[]) =>
  eventually(async () => {
    await expectCountsOfItems(testEnv.DB, id);
    const rollout = await getRollout(id);
    return states.includes(rollout.state) ? rollout : null;
  }, 90_000);

describe("a rollout's counts on its row", () => {
  it("are its items counted all the way: deploys succeeding and failing, the canary's pause, a resume, a rollback", async () => {
    const ids = await onboardMany(uniqueId("cnt"), 12);
    const started = await startRollout({
      script: versionedApp("v2"),
      filter: { tenants: ids },
      canary: { tenants: 3 },
    });
    expect(await expectCountsOfItems(testEnv.DB, started.id)).toMatchObject({
      all: { succeeded: 0, failed: 0 },
      rollback: zeros(ROLLBACK_STATES),
    });
    // A tenant outside the canary fails for good: the canary phase does not reach it, so the fault is in place first.
    const canary = new Set(started.canary.tenants);
    const unlucky = ids.find((id) => !canary.has(id)) as string;
    await injectFault({
      method: "PUT",
      path: `/accounts/*/workers/dispatch/namespaces/*/scripts/${unlucky}`,
      times: 1000,
      action: { kind: "fail", status: 500, code: 10000, message: "Injected: upload down" },
    });

    const paused = await reaches(started.id, ["paused", "completed", "failed"]);
    expect(paused).toMatchObject({ state: "paused", succeeded: 3, pending: 9, canary: { succeeded: 3, pending: 0 } });
    expect(await expectCountsOfItems(testEnv.DB, started.id)).toEqual({
      all: { pending: 9, submitted: 0, succeeded: 3, failed: 0 },
      canary: { pending: 0, submitted: 0, succeeded: 3, failed: 0 },
      rollback: zeros(ROLLBACK_STATES),
    });

    const resumed = await api("POST", `/v1/rollouts/${started.id}/resume`, {});
    expect(resumed.status, resumed.text).toBe(202);
    const done = await reaches(started.id, ["completed", "failed"]);
    expect(done).toMatchObject({ state: "completed", succeeded: 11, failed: 1, pending: 0 });
    expect(done.failures).toEqual([{ tenantId: unlucky, message: expect.stringContaining("Injected: upload down") }]);
    expect((await expectCountsOfItems(testEnv.DB, started.id)).all).toEqual({
      pending: 0,
      submitted: 0,
      succeeded: 11,
      failed: 1,
    });

    // The items are marked with the transition: its answer counts every one of them already.
    const rollingBack = await api("POST", `/v1/rollouts/${started.id}/rollback`, {});
    expect(rollingBack.status, rollingBack.text).toBe(202);
    const answer = rollingBack.json as unknown as RolloutView;
    expect(answer.rollback).toMatchObject({ skipped: 0, failed: 0 });
    expect((answer.rollback?.pending ?? 0) + (answer.rollback?.succeeded ?? 0)).toBe(12);
    const rolledBack = await reaches(started.id, ["rolled_back"]);
    expect(rolledBack.rollback).toEqual({ succeeded: 12, failed: 0, pending: 0, skipped: 0, failures: [] });
    expect((await expectCountsOfItems(testEnv.DB, started.id)).rollback).toEqual({
      skipped: 0,
      pending: 0,
      submitted: 0,
      succeeded: 12,
      failed: 0,
    });
  });
});

describe("migration 0011's backfill", () => {
  it("counts the items of the rollouts made before it", async () => {
    const db = testEnv.REGISTRY_PROBE;
    const migrations = testEnv.REGISTRY_MIGRATIONS;
    const before = migrations.filter((migration) => migration.name < "0011");
    expect(before.length).toBe(migrations.findIndex((migration) => migration.name.startsWith("0011_")));
    await applyD1Migrations(db, before);

    // Rollouts in the shape the registry had: one deploying past its canary, one rolling back, one with no items.
    const at = "2026-12-07T00:00:00.000Z";
    const rollout = (id: string, state: string, phase: string, total: number, canaryTotal: number) =>
      db
        .prepare(
          `INSERT INTO rollouts (id, script_key, filter, state, phase, total, canary_total, created_at, updated_at)
           VALUES (?, 'key', '{}', ?, ?, ?, ?, ?, ?)`,
        )
        .bind(id, state, phase, total, canaryTotal, at, at);
    const item = (rolloutId: string, tenantId: string, state: string, canary: 0 | 1, rollbackState: string | null) =>
      db
        .prepare(
          `INSERT INTO rollout_items (rollout_id, tenant_id, state, canary, rollback_state, operation_id)
           VALUES (?, ?, ?, ?, ?, ?)`,
        )
        .bind(rolloutId, tenantId, state, canary, rollbackState, state === "pending" ? null : `op-${tenantId}`);
    await db.batch([
      rollout("fleet", "running", "fleet", 7, 2),
      item("fleet", "a", "succeeded", 1, null),
      item("fleet", "b", "failed", 1, null),
      item("fleet", "c", "succeeded", 0, null),
      item("fleet", "d", "submitted", 0, null),
      item("fleet", "e", "submitted", 0, null),
      item("fleet", "f", "pending", 0, null),
      item("fleet", "g", "pending", 0, null),
      rollout("back", "rolling_back", "rollback", 5, 1),
      item("back", "a", "succeeded", 1, "succeeded"),
      item("back", "b", "succeeded", 0, "submitted"),
      item("back", "c", "failed", 0, "failed"),
      item("back", "d", "succeeded", 0, "pending"),
      item("back", "e", "pending", 0, "skipped"),
      rollout("empty", "completed", "fleet", 0, 0),
    ]);

    await applyD1Migrations(db, migrations);

    expect((await countsNow(db, "fleet")).row).toEqual({
      all: { pending: 2, submitted: 2, succeeded: 2, failed: 1 },
      canary: { pending: 0, submitted: 0, succeeded: 1, failed: 1 },
      rollback: zeros(ROLLBACK_STATES),
    });
    expect((await countsNow(db, "back")).row).toEqual({
      all: { pending: 1, submitted: 0, succeeded: 3, failed: 1 },
      canary: { pending: 0, submitted: 0, succeeded: 1, failed: 0 },
      rollback: { skipped: 1, pending: 1, submitted: 1, succeeded: 1, failed: 1 },
    });
    expect((await countsNow(db, "empty")).row).toEqual({
      all: zeros(ITEM_STATES),
      canary: zeros(ITEM_STATES),
      rollback: zeros(ROLLBACK_STATES),
    });
    for (const id of ["fleet", "back", "empty"]) await expectCountsOfItems(db, id);
  });
});

describe("a round's queries", () => {
  /** SQLite's plan for `sql`, one line per step. */
  async function planOf(sql: string, ...values: unknown[]): Promise<string[]> {
    const { results } = await testEnv.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .bind(...values)
      .all<{ detail: string }>();
    return results.map((step) => step.detail);
  }

  /** No step scans the items table or sorts: every one a search of an index or a primary key. */
  const expectNoScan = (plan: readonly string[]) => {
    expect(plan.join("\n")).not.toMatch(/\bSCAN\b|TEMP B-TREE/);
  };

  it("read the next items from an index in id order, not by scanning or sorting the rollout's items", async () => {
    const all = await planOf(PENDING_ITEMS_SQL.all, "r", 10);
    expect(all).toEqual([
      expect.stringMatching(/^SEARCH rollout_items USING (COVERING )?INDEX rollout_items_by_state_id /),
    ]);
    const canary = await planOf(PENDING_ITEMS_SQL.canary, "r", 10);
    expect(canary).toEqual([
      expect.stringMatching(/^SEARCH rollout_items USING (COVERING )?INDEX rollout_items_by_canary_state_id /),
    ]);
    const rollbacks = await planOf(PENDING_ROLLBACKS_SQL, "r", 10);
    expect(rollbacks).toEqual([
      expect.stringMatching(/^SEARCH rollout_items USING INDEX rollout_items_by_rollback_id /),
    ]);
    for (const plan of [all, canary, rollbacks]) expectNoScan(plan);
  });

  it("read a round's items and one row of counts, however many items are done before them", async () => {
    // On the probe database, migrated to the end (after the backfill's test above, which needs it empty): nothing
    // runs this rollout there, and no other test lists it.
    const db = testEnv.REGISTRY_PROBE;
    await applyD1Migrations(db, testEnv.REGISTRY_MIGRATIONS);
    const id = crypto.randomUUID();
    const tenantIds = Array.from({ length: 500 }, (_, i) => `rows-${String(i).padStart(3, "0")}`);
    const canary = new Set(tenantIds.filter((_, i) => i % 10 === 0));
    await insertRollout(db, { id, scriptKey: "key", filter: {}, tenantIds, canary, autoResume: false });
    // The first 400 in id order have ended, some failed: the next pending ones come after all of them.
    await inChunks(
      db,
      tenantIds
        .slice(0, 400)
        .map((tenantId, i) => updateItem(db, id, tenantId, { state: i % 7 === 0 ? "failed" : "succeeded" })),
    );
    expect((await expectCountsOfItems(db, id)).all).toEqual({ pending: 100, submitted: 0, succeeded: 342, failed: 58 });

    const next = await db.prepare(PENDING_ITEMS_SQL.all).bind(id, 10).all<{ tenant_id: string }>();
    expect(next.results.map((row) => row.tenant_id)).toEqual(tenantIds.slice(400, 410));
    expect(next.meta.rows_read).toBeLessThanOrEqual(10);
    const nextCanary = await db.prepare(PENDING_ITEMS_SQL.canary).bind(id, 5).all<{ tenant_id: string }>();
    expect(nextCanary.results.map((row) => row.tenant_id)).toEqual([
      "rows-400",
      "rows-410",
      "rows-420",
      "rows-430",
      "rows-440",
    ]);
    expect(nextCanary.meta.rows_read).toBeLessThanOrEqual(5);
    const counts = await db.prepare("SELECT items_pending FROM rollouts WHERE id = ?").bind(id).all();
    expect(counts.meta.rows_read).toBe(1);
  });

  it("move the row's counts by primary keys, and mark a rollback through the index", async () => {
    for (const sql of [COUNT_MOVE_SQL.deploy, COUNT_MOVE_SQL.rollback]) {
      const plan = await planOf(sql, "succeeded", "r", "t");
      expectNoScan(plan);
      expect(plan.join("\n")).toMatch(/SEARCH i USING INDEX sqlite_autoindex_rollout_items_1/);
    }
    for (const sql of [MARK_ROLLBACK_SQL.counts, MARK_ROLLBACK_SQL.items]) {
      const plan = await planOf(sql, "r");
      expectNoScan(plan);
      expect(plan.join("\n")).toMatch(
        /SEARCH rollout_items USING (COVERING )?INDEX rollout_items_by_rollback_id \(rollout_id=\? AND rollback_state=\?\)/,
      );
    }
  });
});
