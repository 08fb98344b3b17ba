import { operationOf, selectNextOperation, selectStepsDoneByNextOperation, stepNamesOf } from "./operations";
import type { OperationRow, TenantRow } from "./rows";
import { selectTenant, tenantOf } from "./tenants";

/** What running a tenant's next step starts from: its next operation, the tenant, and the steps that operation did. */
export type NextWork = { operation: OperationRow; tenant: TenantRow | null; done: Set<string> };

/**
 * The tenant's next operation (null: none unfinished), with the tenant and the steps the
 * operation has done, in one batch: one round trip to D1 instead of three, and one state of the
 * registry (a batch is a transaction). After a step, the read rides on its record instead
 * (nextWorkSelects), and a loop calls this only to start, or after an operation ends.
 */
export async function readNextWork(db: D1Database, tenantId: string): Promise<NextWork | null> {
  return nextWorkOf(await db.batch(nextWorkSelects(db, tenantId)));
}

/**
 * readNextWork's statements, to end a batch that writes first: a step's record then carries the
 * read of the step after it (runner.ts), and the reads see the writes (the batch is a transaction).
 */
export function nextWorkSelects(db: D1Database, tenantId: string): D1PreparedStatement[] {
  return [selectNextOperation(db, tenantId), selectTenant(db, tenantId), selectStepsDoneByNextOperation(db, tenantId)];
}

/** The next work from the results of nextWorkSelects, in their order. */
export function nextWorkOf(results: readonly D1Result[]): NextWork | null {
  const [next, tenant, steps] = results;
  if (next === undefined || tenant === undefined || steps === undefined) {
    throw new Error("the next work's batch answered fewer results than it has statements");
  }
  const operation = operationOf(next);
  if (operation === null) return null;
  return { operation, tenant: tenantOf(tenant), done: stepNamesOf(steps) };
}
