import { describe, expect, it } from "vitest";
import { API_BUDGET_NAME } from "../../src/cloudflare/budget";
import type { CallPriority } from "../../src/cloudflare/call-priority";
import { nextOperation } from "../../src/registry/operations";
import { api, ensureNamespace, newTenant, settled, testEnv, uniqueId } from "./support";

/** The control plane's one shared budget, as its clients reach it. */
const budget = () => testEnv.API_BUDGET.get(testEnv.API_BUDGET.idFromName(API_BUDGET_NAME));

/**
 * Long enough for the request below to reach its first API call: the budget holds every
 * call in line until then (a 429's pause), which is what lets the test read the line.
 */
const HOLD_MS = 2_000;

/** The line, once a call is waiting in it (the test fails if none comes while the budget holds them). */
async function lineOnceWaiting(): Promise<CallPriority[]> {
  for (let i = 0; i < 400 && (await budget().waiting()) === 0; i++) await new Promise((r) => setTimeout(r, 5));
  return budget().line();
}

/**
 * Where the calls of the tenant's operation to run next stand: as old as it was created, naming
 * it, with the slots it claims for its steps after this one (cloudflare/claims.ts).
 */
async function operationCall(id: string, class_: CallPriority["class"]): Promise<CallPriority> {
  const operation = await nextOperation(testEnv.DB, id);
  expect(operation).not.toBeNull();
  const since = Date.parse(operation?.created_at as string);
  return { class: class_, since, work: { id: operation?.id as string, later: expect.any(Number) } };
}

describe("where a tenant's calls stand in the API budget's line", () => {
  it("a POST's script check asks as a request, as old as the tenant's provisioning", async () => {
    await ensureNamespace();
    const id = uniqueId();
    await budget().pause(HOLD_MS);
    const posted = api("POST", "/v1/tenants", newTenant(id));
    const line = await lineOnceWaiting();
    expect(line).toEqual([await operationCall(id, "request")]);
    // The check is the provisioning's first step: it claims the 7 steps after it that may call the API
    // (KV, R2, D1, the migrations, the upload, cron triggers, custom hostnames), not the registry's.
    expect(line[0]?.work?.later).toBe(7);
    // Once the hold is over, the check goes and the POST has its answer.
    expect((await posted).status).toBe(202);
    await settled(id, ["active"]);
  });

  it("a DELETE's teardown, which nobody waits on, asks as its operation, as old as it", async () => {
    await ensureNamespace();
    const id = uniqueId();
    expect((await api("POST", "/v1/tenants", newTenant(id))).status).toBe(202);
    await settled(id, ["active"]);
    await budget().pause(HOLD_MS);
    expect((await api("DELETE", `/v1/tenants/${id}`)).status).toBe(202);
    const line = await lineOnceWaiting();
    expect(line).toEqual([await operationCall(id, "operation")]);
    await settled(id, ["deleted"]);
  });
});
