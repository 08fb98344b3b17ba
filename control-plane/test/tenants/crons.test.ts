import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { PLANS } from "../../../platform/plans";
import type { ErrorBody } from "../../../platform/tenants-api";
import {
  api,
  clearFaults,
  emulatorCronsOf,
  ensureNamespace,
  expectResourcesMatchRegistry,
  faultNow,
  injectFault,
  NOTES_APP,
  newTenant,
  settled,
  uniqueId,
} from "./support";

beforeAll(ensureNamespace);
afterEach(clearFaults);

// Issue 18: a tenant's cron triggers, from the API's request to the emulator's schedules and back on GET.

const EVERY_FIVE = "*/5 * * * *";
const NIGHTLY = "0 3 * * MON-FRI";
const MONTHLY = "0 0 L * *";

/** `n` distinct crons Cloudflare takes: minute n of every hour. */
const cronsOf = (n: number) => Array.from({ length: n }, (_, minute) => `${minute} * * * *`);

const errorOf = (json: unknown) => (json as ErrorBody).error;

async function activeTenant(crons?: string[], plan = "pro") {
  const id = uniqueId("cron");
  const script = crons === undefined ? NOTES_APP : { ...NOTES_APP, crons };
  const created = await api("POST", "/v1/tenants", newTenant(id, { plan: plan as "pro", script }));
  expect(created.status, created.text).toBe(202);
  const tenant = await settled(id, ["active", "failed"]);
  expect(tenant.state, JSON.stringify(tenant.lastError)).toBe("active");
  return tenant;
}

async function deploy(id: string, body: Record<string, unknown>, query = "") {
  const answer = await api("PUT", `/v1/tenants/${id}/script${query}`, { ...NOTES_APP, ...body });
  return answer;
}

describe("cron triggers set with the tenant's script", () => {
  it("POST /v1/tenants with crons: set on the script after its upload, shown by GET", async () => {
    const tenant = await activeTenant([EVERY_FIVE, NIGHTLY]);
    expect(tenant.script?.crons).toEqual([EVERY_FIVE, NIGHTLY]);
    expect(await emulatorCronsOf(tenant.id)).toEqual([EVERY_FIVE, NIGHTLY]);
    await expectResourcesMatchRegistry(tenant);
  });

  it("a script without crons has none; the set_schedules step makes no call", async () => {
    const tenant = await activeTenant();
    expect(tenant.script?.crons).toEqual([]);
    expect(await emulatorCronsOf(tenant.id)).toEqual([]);
  });

  it("PUT …/script: crons replace the tenant's; absent keeps them (as wrangler's absent [triggers]); [] removes them", async () => {
    const tenant = await activeTenant([EVERY_FIVE]);

    expect((await deploy(tenant.id, { crons: [NIGHTLY, MONTHLY] })).status).toBe(202);
    let after = await settled(tenant.id, ["active"]);
    expect(after.operation?.state).toBe("succeeded");
    expect(after.script?.crons).toEqual([NIGHTLY, MONTHLY]);
    expect(await emulatorCronsOf(tenant.id)).toEqual([NIGHTLY, MONTHLY]);

    expect((await deploy(tenant.id, {})).status).toBe(202);
    after = await settled(tenant.id, ["active"]);
    expect(after.operation?.state).toBe("succeeded");
    expect(after.script?.crons).toEqual([NIGHTLY, MONTHLY]);
    expect(await emulatorCronsOf(tenant.id)).toEqual([NIGHTLY, MONTHLY]);

    expect((await deploy(tenant.id, { crons: [] })).status).toBe(202);
    after = await settled(tenant.id, ["active"]);
    expect(after.script?.crons).toEqual([]);
    expect(await emulatorCronsOf(tenant.id)).toEqual([]);
    await expectResourcesMatchRegistry(after);
  });

  it("the same crons again: the deploy succeeds without calling …/schedules", async () => {
    const tenant = await activeTenant([EVERY_FIVE]);
    const schedulesPut = await injectFault({
      method: "PUT",
      path: `/accounts/*/workers/dispatch/namespaces/*/scripts/${tenant.id}/schedules`,
      times: 100,
      action: { kind: "delay", ms: 0 },
    });
    expect((await deploy(tenant.id, { crons: [EVERY_FIVE] })).status).toBe(202);
    const after = await settled(tenant.id, ["active"]);
    expect(after.operation?.state).toBe("succeeded");
    expect((await faultNow(schedulesPut.id)).hits).toBe(0);
    expect(await emulatorCronsOf(tenant.id)).toEqual([EVERY_FIVE]);
  });

  it("a delete takes the crons with the script", async () => {
    const tenant = await activeTenant([EVERY_FIVE]);
    expect((await api("DELETE", `/v1/tenants/${tenant.id}`)).status).toBe(202);
    const deleted = await settled(tenant.id, ["deleted"]);
    expect(deleted.script?.crons).toEqual([]);
    // The script is gone from the namespace, and its schedules with it.
    await expectResourcesMatchRegistry(deleted);
  });
});

describe("crons refused", () => {
  it("an expression Cloudflare refuses: 400 naming script.crons.<index>, nothing created", async () => {
    const id = uniqueId("badcron");
    const answer = await api(
      "POST",
      "/v1/tenants",
      newTenant(id, { script: { ...NOTES_APP, crons: [EVERY_FIVE, "* * * * 0"] } }),
    );
    expect(answer.status, answer.text).toBe(400);
    const error = errorOf(answer.json);
    expect(error.code).toBe("invalid_request");
    expect(error.message).toMatch(/^script\.crons\.1: invalid cron expression '\* \* \* \* 0'/);
    expect(error.details?.map((detail) => detail.path)).toEqual(["script.crons.1"]);
    expect((await api("GET", `/v1/tenants/${id}`)).status).toBe(404);
  });

  it("the same cron twice, and a cron of six fields on PUT …/script: 400 naming each", async () => {
    const tenant = await activeTenant([EVERY_FIVE]);
    const answer = await deploy(tenant.id, { crons: [NIGHTLY, NIGHTLY, "0 0 * * * *"] });
    expect(answer.status, answer.text).toBe(400);
    expect(errorOf(answer.json).details).toEqual([
      { path: "crons.2", message: expect.stringContaining("5 fields") },
      { path: "crons.1", message: `"${NIGHTLY}" is listed twice` },
    ]);
    const after = await settled(tenant.id, ["active"]);
    expect(after.script?.crons).toEqual([EVERY_FIVE]);
    expect(await emulatorCronsOf(tenant.id)).toEqual([EVERY_FIVE]);
  });

  it("more crons than the plan allows, at POST: 400 naming script.crons with the plan's limit", async () => {
    const { maxCrons } = PLANS.free;
    const answer = await api(
      "POST",
      "/v1/tenants",
      newTenant(uniqueId("many"), { plan: "free", script: { ...NOTES_APP, crons: cronsOf(maxCrons + 1) } }),
    );
    expect(answer.status, answer.text).toBe(400);
    expect(errorOf(answer.json).details).toEqual([
      {
        path: "script.crons",
        message: `the free plan allows at most ${maxCrons} cron triggers; ${maxCrons + 1} given`,
      },
    ]);
  });

  it("more crons than the tenant's plan allows, at PUT …/script: 400 naming crons; the plan's limit itself is taken", async () => {
    const { maxCrons } = PLANS.free;
    const tenant = await activeTenant(cronsOf(maxCrons), "free");
    expect(tenant.script?.crons).toEqual(cronsOf(maxCrons));
    const answer = await deploy(tenant.id, { crons: cronsOf(maxCrons + 1) });
    expect(answer.status, answer.text).toBe(400);
    expect(errorOf(answer.json)).toEqual({
      code: "invalid_request",
      message: `crons: the free plan allows at most ${maxCrons} cron triggers; ${maxCrons + 1} given`,
      details: [
        { path: "crons", message: `the free plan allows at most ${maxCrons} cron triggers; ${maxCrons + 1} given` },
      ],
    });
    expect(await emulatorCronsOf(tenant.id)).toEqual(cronsOf(maxCrons));
  });

  it("at PUT …/script, the plan a queued PATCH moves the tenant to counts too", async () => {
    const tenant = await activeTenant([], "pro");
    // Holds the PATCH's re-upload, so that its plan is still queued when the script comes.
    await injectFault({
      method: "PUT",
      path: `/accounts/*/workers/dispatch/namespaces/*/scripts/${tenant.id}`,
      times: 1,
      action: { kind: "delay", ms: 2000 },
    });
    // The PATCH answers once its upload is through (or after a long wait): not awaited until the script is sent.
    const patched = api("PATCH", `/v1/tenants/${tenant.id}`, { plan: "free" });
    let pending = await api("GET", `/v1/tenants/${tenant.id}`);
    while (pending.json.pending?.plan !== "free") pending = await api("GET", `/v1/tenants/${tenant.id}`);
    expect(pending.json.plan, "the PATCH is still queued").toBe("pro");
    const answer = await deploy(tenant.id, { crons: cronsOf(PLANS.free.maxCrons + 1) });
    expect(answer.status, answer.text).toBe(400);
    expect(errorOf(answer.json).message).toContain("the free plan allows at most");
    expect((await patched).status).toBe(202);
    expect((await settled(tenant.id, ["active"])).plan).toBe("free");
    expect(await emulatorCronsOf(tenant.id)).toEqual([]);
  });

  it("a PATCH to a plan that allows fewer crons than the tenant has: 409, the plan unchanged", async () => {
    const tenant = await activeTenant(cronsOf(PLANS.free.maxCrons + 1), "pro");
    const answer = await api("PATCH", `/v1/tenants/${tenant.id}`, { plan: "free" });
    expect(answer.status, answer.text).toBe(409);
    expect(errorOf(answer.json).message).toContain(`the free plan allows at most ${PLANS.free.maxCrons} cron triggers`);
    expect((await settled(tenant.id, ["active"])).plan).toBe("pro");
  });

  it("crons with deploy=false: 400 (triggers run the deployed version), nothing uploaded", async () => {
    const tenant = await activeTenant([EVERY_FIVE]);
    const answer = await deploy(tenant.id, { crons: [NIGHTLY] }, "?deploy=false");
    expect(answer.status, answer.text).toBe(400);
    expect(errorOf(answer.json).details?.[0]?.path).toBe("crons");
    const after = await settled(tenant.id, ["active"]);
    expect(after.operation?.kind).toBe("provision");
    expect(await emulatorCronsOf(tenant.id)).toEqual([EVERY_FIVE]);
  });
});
