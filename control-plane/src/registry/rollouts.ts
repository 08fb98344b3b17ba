import { z } from "zod";
import { CanaryHealthView, PauseReason, RolloutPhase, RolloutState } from "../../../platform/tenants-api";
import { RolloutCountColumns, type RolloutItemState, withItemCounts } from "./rollout-counts";
import { JsonText, now } from "./rows";

export const RolloutRow = z
  .object({
    id: z.string(),
    script_key: z.string(),
    filter: z.string(),
    state: RolloutState,
    phase: RolloutPhase,
    total: z.number().int(),
    canary_total: z.number().int(),
    auto_resume: z.number().transform((n) => n === 1),
    canary_started_at: z.string().nullable(),
    canary_done_at: z.string().nullable(),
    paused_reason: PauseReason.nullable(),
    paused_until: z.string().nullable(),
    health: JsonText(CanaryHealthView).nullable(),
    refused: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .extend(RolloutCountColumns.shape);
export type RolloutRow = z.infer<typeof RolloutRow>;

/** D1 takes a bounded number of statements per batch: rollouts to thousands of tenants are written in chunks. */
const CHUNK = 50;

/**
 * Runs groups of statements in batches D1 takes, each group whole in one
 * batch (an item's write and its rollout's counts: rollout-counts.ts).
 */
export async function inChunks(db: D1Database, groups: readonly D1PreparedStatement[][]): Promise<void> {
  let batch: D1PreparedStatement[] = [];
  for (const group of groups) {
    if (batch.length > 0 && batch.length + group.length > CHUNK) {
      await db.batch(batch);
      batch = [];
    }
    batch.push(...group);
  }
  if (batch.length > 0) await db.batch(batch);
}

export async function insertRollout(
  db: D1Database,
  rollout: {
    id: string;
    scriptKey: string;
    filter: unknown;
    tenantIds: string[];
    canary: ReadonlySet<string>;
    autoResume: boolean;
  },
): Promise<void> {
  const at = now();
  const items = rollout.tenantIds.map((tenantId) =>
    db
      .prepare("INSERT INTO rollout_items (rollout_id, tenant_id, state, canary) VALUES (?, ?, 'pending', ?)")
      .bind(rollout.id, tenantId, rollout.canary.has(tenantId) ? 1 : 0),
  );
  // The items first, the rollout row last: a rollout is visible (and run) only once all its items are written,
  // and its counts start as what was written: every item pending.
  await inChunks(
    db,
    items.map((item) => [item]),
  );
  await db
    .prepare(
      `INSERT INTO rollouts (id, script_key, filter, state, phase, total, canary_total, auto_resume, created_at, updated_at,
         items_pending, canary_pending)
       VALUES (?, ?, ?, 'running', ?, ?, ?, ?, ?, ?, ?, ?)`,
    )
    .bind(
      rollout.id,
      rollout.scriptKey,
      JSON.stringify(rollout.filter),
      rollout.canary.size === 0 ? "fleet" : "canary",
      rollout.tenantIds.length,
      rollout.canary.size,
      rollout.autoResume ? 1 : 0,
      at,
      at,
      rollout.tenantIds.length,
      rollout.tenantIds.filter((tenantId) => rollout.canary.has(tenantId)).length,
    )
    .run();
}

export async function getRollout(db: D1Database, id: string): Promise<RolloutRow | null> {
  const row = await db.prepare("SELECT * FROM rollouts WHERE id = ?").bind(id).first();
  return row === null ? null : RolloutRow.parse(row);
}

export async function rolloutFailures(db: D1Database, id: string, limit = 100) {
  const { results } = await db
    .prepare(
      "SELECT tenant_id, error FROM rollout_items WHERE rollout_id = ? AND state = 'failed' ORDER BY tenant_id LIMIT ?",
    )
    .bind(id, limit)
    .all<{ tenant_id: string; error: string | null }>();
  return results.map((row) => ({ tenantId: row.tenant_id, message: row.error ?? "failed" }));
}

/**
 * Items not submitted yet, in id order: any, or the canary batch's alone
 * (?1 rollout, ?2 limit). Read from the (rollout_id, state, tenant_id) and
 * (rollout_id, canary, state, tenant_id) indexes (migration 0011): the first
 * `limit` pending ones, whatever has been done before them.
 */
export const PENDING_ITEMS_SQL = {
  all: "SELECT tenant_id FROM rollout_items WHERE rollout_id = ?1 AND state = 'pending' ORDER BY tenant_id LIMIT ?2",
  canary: `SELECT tenant_id FROM rollout_items WHERE rollout_id = ?1 AND canary = 1 AND state = 'pending'
           ORDER BY tenant_id LIMIT ?2`,
} as const;

export async function pendingItems(
  db: D1Database,
  id: string,
  limit: number,
  only: keyof typeof PENDING_ITEMS_SQL = "all",
): Promise<string[]> {
  const { results } = await db.prepare(PENDING_ITEMS_SQL[only]).bind(id, limit).all<{ tenant_id: string }>();
  return results.map((row) => row.tenant_id);
}

/** The columns of an item's deploy, and of its rollback (migration 0005): which operation, and how far it got. */
const ITEM_OPERATIONS = {
  deploy: { operation: "i.operation_id", state: "i.state" },
  rollback: { operation: "i.rollback_operation_id", state: "i.rollback_state" },
} as const;

/** Submitted items whose deploy (or rollback) operation has ended, with how. */
export async function settledItems(db: D1Database, id: string, of: keyof typeof ITEM_OPERATIONS) {
  const columns = ITEM_OPERATIONS[of];
  const { results } = await db
    .prepare(
      `SELECT i.tenant_id, o.state, o.error FROM rollout_items i JOIN operations o ON o.id = ${columns.operation}
       WHERE i.rollout_id = ? AND ${columns.state} = 'submitted' AND o.state IN ('succeeded', 'failed')`,
    )
    .bind(id)
    .all<{ tenant_id: string; state: "succeeded" | "failed"; error: string | null }>();
  return results;
}

/** An item's deploy state and what goes with it, and its rollout's counts: statements for one batch. */
export function updateItem(
  db: D1Database,
  rolloutId: string,
  tenantId: string,
  patch: { state: RolloutItemState; operationId?: string; error?: string; previousVersionId?: string | null },
): D1PreparedStatement[] {
  const write = db
    .prepare(
      `UPDATE rollout_items SET state = ?, operation_id = COALESCE(?, operation_id), error = COALESCE(?, error),
       previous_version_id = COALESCE(?, previous_version_id) WHERE rollout_id = ? AND tenant_id = ?`,
    )
    .bind(
      patch.state,
      patch.operationId ?? null,
      patch.error ?? null,
      patch.previousVersionId ?? null,
      rolloutId,
      tenantId,
    );
  return withItemCounts(db, { rolloutId, tenantId, to: patch.state }, write);
}

/** The canary batch's tenant ids, in id order, at most `limit`. */
export async function canaryTenants(db: D1Database, id: string, limit: number): Promise<string[]> {
  const { results } = await db
    .prepare("SELECT tenant_id FROM rollout_items WHERE rollout_id = ? AND canary = 1 ORDER BY tenant_id LIMIT ?")
    .bind(id, limit)
    .all<{ tenant_id: string }>();
  return results.map((row) => row.tenant_id);
}

/** The columns a transition sets; those left out keep their value. */
export type RolloutChange = {
  state: RolloutState;
  phase?: RolloutRow["phase"];
  pausedReason?: PauseReason | null;
  pausedUntil?: string | null;
  health?: CanaryHealthView | null;
  canaryStartedAt?: string;
  canaryDoneAt?: string;
};

/**
 * Moves the rollout to `change` only if it is still in one of the states
 * `from`: every transition is a compare-and-set, so a resume or rollback
 * asked for while the Rollout object is at work is never overwritten by it.
 * `alongside` run in the same batch, after it (they may look at the state it
 * left). Answers whether it moved.
 */
export async function transition(
  db: D1Database,
  id: string,
  from: readonly RolloutState[],
  change: RolloutChange,
  alongside: readonly D1PreparedStatement[] = [],
): Promise<boolean> {
  const sets = ["state = ?", "updated_at = ?"];
  const values: unknown[] = [change.state, now()];
  const set = (column: string, value: unknown) => {
    if (value === undefined) return;
    sets.push(`${column} = ?`);
    values.push(value);
  };
  set("phase", change.phase);
  set("paused_reason", change.pausedReason);
  set("paused_until", change.pausedUntil);
  set("health", change.health === undefined ? undefined : change.health && JSON.stringify(change.health));
  set("canary_started_at", change.canaryStartedAt);
  set("canary_done_at", change.canaryDoneAt);
  const moved = db
    .prepare(`UPDATE rollouts SET ${sets.join(", ")} WHERE id = ? AND state IN (${from.map(() => "?").join(", ")})`)
    .bind(...values, id, ...from);
  const [result] = await db.batch([moved, ...alongside]);
  return (result?.meta.changes ?? 0) > 0;
}

/** Records the API's refusal of the rollout's script, once: the rollout fails once its deploys under way end. */
export function markRefused(db: D1Database, id: string, message: string): D1PreparedStatement {
  return db.prepare("UPDATE rollouts SET refused = COALESCE(refused, ?) WHERE id = ?").bind(message, id);
}

/** Records when the canary's first deploy went out, once. */
export function markCanaryStarted(db: D1Database, id: string): D1PreparedStatement {
  return db
    .prepare("UPDATE rollouts SET canary_started_at = COALESCE(canary_started_at, ?) WHERE id = ?")
    .bind(now(), id);
}

export async function tenantsForRollout(
  db: D1Database,
  filter: { plan?: string; tenants?: string[] },
): Promise<string[]> {
  const where = ["state IN ('active', 'suspended')"];
  const values: unknown[] = [];
  if (filter.plan !== undefined) {
    where.push("plan = ?");
    values.push(filter.plan);
  }
  const { results } = await db
    .prepare(`SELECT id FROM tenants WHERE ${where.join(" AND ")} ORDER BY id`)
    .bind(...values)
    .all<{ id: string }>();
  const ids = results.map((row) => row.id);
  if (filter.tenants === undefined) return ids;
  const wanted = new Set(filter.tenants);
  return ids.filter((id) => wanted.has(id));
}
