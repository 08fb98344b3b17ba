import { describe, expect, it } from "vitest";
import { nextWorkOf, nextWorkSelects, readNextWork } from "../../src/registry/next-work";
import { insertOperation, recordStep, updateOperation } from "../../src/registry/operations";
import { insertTenant } from "../../src/registry/tenants";
import { testEnv, uniqueId } from "./support";

// A step starts from one batch (registry/next-work.ts): the tenant's oldest unfinished operation,
// the tenant, and the steps that operation (and no other) has done.

const db = () => testEnv.DB;

async function tenantWithTwoOperations(id: string): Promise<{ first: string; second: string }> {
  const first = crypto.randomUUID();
  const second = crypto.randomUUID();
  await db().batch([
    insertTenant(db(), {
      id,
      plan: "free",
      requestDigest: "digest",
      wanted: { kv: false, r2: false, d1: false },
      scriptName: `tenant-${id}`,
      scriptKey: null,
      compatibilityDate: "2026-11-01",
      vars: {},
      secretNames: [],
    }),
    insertOperation(db(), { id: first, tenantId: id, kind: "provision", input: { scriptKey: null } }),
    insertOperation(db(), { id: second, tenantId: id, kind: "delete", input: {} }),
    recordStep(db(), first, "create_kv", "succeeded"),
    recordStep(db(), first, "create_r2", "failed"),
    recordStep(db(), second, "delete_script", "succeeded"),
  ]);
  return { first, second };
}

describe("a tenant's next work, read in one batch", () => {
  it("is its oldest unfinished operation, with the tenant and only that operation's succeeded steps", async () => {
    const id = uniqueId("nextwork");
    const { first, second } = await tenantWithTwoOperations(id);

    const work = await readNextWork(db(), id);
    expect(work?.operation.id).toBe(first);
    expect(work?.tenant?.id).toBe(id);
    expect([...(work?.done ?? [])]).toEqual(["create_kv"]);

    await updateOperation(db(), first, { state: "succeeded" }).run();
    const next = await readNextWork(db(), id);
    expect(next?.operation.id).toBe(second);
    expect([...(next?.done ?? [])]).toEqual(["delete_script"]);

    await updateOperation(db(), second, { state: "failed" }).run();
    expect(await readNextWork(db(), id)).toBeNull();
  });

  it("read in the batch that records a step, sees that record (runner.ts: the step after rides on it)", async () => {
    const id = uniqueId("riding");
    const { first, second } = await tenantWithTwoOperations(id);

    const recorded = [recordStep(db(), first, "create_r2", "succeeded")];
    const results = await db().batch([...recorded, ...nextWorkSelects(db(), id)]);
    const work = nextWorkOf(results.slice(recorded.length));
    expect(work?.operation.id).toBe(first);
    expect([...(work?.done ?? [])].sort()).toEqual(["create_kv", "create_r2"]);

    const finished = [updateOperation(db(), first, { state: "succeeded" })];
    const after = await db().batch([...finished, ...nextWorkSelects(db(), id)]);
    const next = nextWorkOf(after.slice(finished.length));
    expect(next?.operation.id).toBe(second);
    expect(next).toEqual(await readNextWork(db(), id));
  });

  it("is refused from fewer results than the batch has statements", () => {
    expect(() => nextWorkOf([])).toThrow(/fewer results/);
  });

  it("names no tenant when the registry has none for the operation", async () => {
    const id = uniqueId("orphan");
    const operationId = crypto.randomUUID();
    await insertOperation(db(), { id: operationId, tenantId: id, kind: "delete", input: {} }).run();
    const work = await readNextWork(db(), id);
    expect(work?.operation.id).toBe(operationId);
    expect(work?.tenant).toBeNull();
    expect(work?.done.size).toBe(0);
  });
});
