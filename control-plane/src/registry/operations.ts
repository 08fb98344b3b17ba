import type { OperationKind, OperationState, StepState } from "../../../platform/tenants-api";
import { now, type OperationError, type OperationPhase, OperationRow, StepRow } from "./rows";

export type NewOperation = {
  id: string;
  tenantId: string;
  kind: OperationKind;
  input: Record<string, unknown>;
  rolloutId?: string;
};

export function insertOperation(db: D1Database, operation: NewOperation): D1PreparedStatement {
  const at = now();
  return db
    .prepare(
      `INSERT INTO operations (id, tenant_id, kind, state, input, rollout_id, created_at, updated_at)
       VALUES (?, ?, ?, 'queued', ?, ?, ?, ?)`,
    )
    .bind(
      operation.id,
      operation.tenantId,
      operation.kind,
      JSON.stringify(operation.input),
      operation.rolloutId ?? null,
      at,
      at,
    );
}

export async function getOperation(db: D1Database, id: string): Promise<OperationRow | null> {
  const row = await db.prepare("SELECT * FROM operations WHERE id = ?").bind(id).first();
  return row === null ? null : OperationRow.parse(row);
}

/** The tenant's oldest unfinished operation: the one to run next. */
export async function nextOperation(db: D1Database, tenantId: string): Promise<OperationRow | null> {
  return operationOf(await selectNextOperation(db, tenantId).all());
}

/** The select of nextOperation, to read it in a batch with other reads (one round trip). */
export function selectNextOperation(db: D1Database, tenantId: string): D1PreparedStatement {
  return db.prepare(`SELECT * FROM operations WHERE ${NEXT_OPERATION_OF_TENANT} LIMIT 1`).bind(tenantId);
}

/** The first row of a select of operations, parsed. */
export function operationOf(result: D1Result): OperationRow | null {
  const [row] = result.results;
  return row === undefined ? null : OperationRow.parse(row);
}

/** The tenant's (`?`) unfinished operations, the next to run first. */
const NEXT_OPERATION_OF_TENANT = `tenant_id = ? AND state IN ('queued', 'running') ORDER BY created_at, rowid`;

/**
 * The steps the tenant's next operation (as selectNextOperation finds it) has done: in the same
 * batch as that select, the two read one state of the registry.
 */
export function selectStepsDoneByNextOperation(db: D1Database, tenantId: string): D1PreparedStatement {
  return db
    .prepare(
      `SELECT name FROM operation_steps WHERE state = 'succeeded'
       AND operation_id = (SELECT id FROM operations WHERE ${NEXT_OPERATION_OF_TENANT} LIMIT 1)`,
    )
    .bind(tenantId);
}

/** The step names selectStepsDoneByNextOperation gave. */
export function stepNamesOf(result: D1Result): Set<string> {
  return new Set((result.results as { name: string }[]).map((row) => row.name));
}

/** What a tenant's view shows: the operation to run next, or else the latest one. */
export async function currentOperations(db: D1Database, tenantIds: string[]): Promise<Map<string, OperationRow>> {
  if (tenantIds.length === 0) return new Map();
  return currentOperationsFrom(await selectCurrentOperations(db, tenantIds).all());
}

/** The select of currentOperations (at least one id), to read it in a batch with other reads. */
export function selectCurrentOperations(db: D1Database, tenantIds: readonly string[]): D1PreparedStatement {
  return db
    .prepare(
      `SELECT * FROM operations WHERE tenant_id IN (${tenantIds.map(() => "?").join(",")})
       ORDER BY tenant_id, CASE WHEN state IN ('queued', 'running') THEN 0 ELSE 1 END,
         CASE WHEN state IN ('queued', 'running') THEN created_at END ASC, created_at DESC, rowid DESC`,
    )
    .bind(...tenantIds);
}

/** What that select gave: each tenant's current operation. */
export function currentOperationsFrom(result: D1Result): Map<string, OperationRow> {
  const current = new Map<string, OperationRow>();
  for (const row of result.results) {
    const operation = OperationRow.parse(row);
    if (!current.has(operation.tenant_id)) current.set(operation.tenant_id, operation);
  }
  return current;
}

export type OperationPatch = Partial<{
  state: OperationState;
  phase: OperationPhase;
  step: string | null;
  attempts: number;
  nextAttemptAt: string | null;
  error: OperationError | null;
}>;

export function updateOperation(db: D1Database, id: string, patch: OperationPatch): D1PreparedStatement {
  const columns: [string, unknown][] = [];
  if (patch.state !== undefined) columns.push(["state", patch.state]);
  if (patch.phase !== undefined) columns.push(["phase", patch.phase]);
  if (patch.step !== undefined) columns.push(["step", patch.step]);
  if (patch.attempts !== undefined) columns.push(["attempts", patch.attempts]);
  if (patch.nextAttemptAt !== undefined) columns.push(["next_attempt_at", patch.nextAttemptAt]);
  if (patch.error !== undefined) columns.push(["error", patch.error === null ? null : JSON.stringify(patch.error)]);
  columns.push(["updated_at", now()]);
  return db
    .prepare(`UPDATE operations SET ${columns.map(([column]) => `${column} = ?`).join(", ")} WHERE id = ?`)
    .bind(...columns.map(([, value]) => value), id);
}

/**
 * A step's new state. Its first start is kept (`started_at`), each start counts an attempt, and
 * a failure's error stays after a retry succeeds: the timeline shows what a step went through.
 */
export function recordStep(
  db: D1Database,
  operationId: string,
  name: string,
  state: StepState,
  error: OperationError | null = null,
): D1PreparedStatement {
  return db
    .prepare(
      `INSERT INTO operation_steps (operation_id, name, state, attempts, error, started_at, updated_at)
       VALUES (?1, ?2, ?3, CASE WHEN ?3 = 'running' THEN 1 ELSE 0 END, ?4, ?5, ?5)
       ON CONFLICT (operation_id, name) DO UPDATE SET
         state = excluded.state,
         attempts = operation_steps.attempts + CASE WHEN excluded.state = 'running' THEN 1 ELSE 0 END,
         error = COALESCE(excluded.error, operation_steps.error),
         started_at = COALESCE(operation_steps.started_at, excluded.started_at),
         updated_at = excluded.updated_at`,
    )
    .bind(operationId, name, state, error === null ? null : JSON.stringify(error), now());
}

/** A page of the tenant's operations, newest first: `limit + 1` rows (the extra one says there is a next page). */
export async function listOperations(
  db: D1Database,
  tenantId: string,
  page: { before?: number; limit: number },
): Promise<{ seq: number; operation: OperationRow }[]> {
  // rowid is the insertion order, and a new row's is above every row left: it pages stably.
  const { results } = await db
    .prepare(
      `SELECT rowid AS seq, * FROM operations WHERE tenant_id = ?1 AND (?2 IS NULL OR rowid < ?2)
       ORDER BY rowid DESC LIMIT ?3`,
    )
    .bind(tenantId, page.before ?? null, page.limit + 1)
    .all<{ seq: number }>();
  return results.map((row) => ({ seq: row.seq, operation: OperationRow.parse(row) }));
}

/** The steps of these operations, each operation's in the order they first ran. */
export async function stepsOfOperations(db: D1Database, operationIds: string[]): Promise<Map<string, StepRow[]>> {
  const steps = new Map<string, StepRow[]>();
  if (operationIds.length === 0) return steps;
  const { results } = await db
    .prepare(
      `SELECT * FROM operation_steps WHERE operation_id IN (${operationIds.map(() => "?").join(",")})
       ORDER BY rowid`,
    )
    .bind(...operationIds)
    .all();
  for (const row of results) {
    const step = StepRow.parse(row);
    steps.set(step.operation_id, [...(steps.get(step.operation_id) ?? []), step]);
  }
  return steps;
}
