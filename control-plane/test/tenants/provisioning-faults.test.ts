import { abortAllDurableObjects } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import {
  api,
  clearFaults,
  emulatorResourcesOf,
  ensureNamespace,
  expectResourcesMatchRegistry,
  injectFault,
  newTenant,
  settled,
  uniqueId,
  visit,
} from "./support";

beforeAll(ensureNamespace);
afterEach(clearFaults);

const ACCOUNT = "/accounts/*";
/** The API call behind each provisioning step (the script's path names the tenant, the others are shared). */
const STEP_CALLS = {
  check_script: (id: string) => ({ method: "PUT", path: `${ACCOUNT}/workers/dispatch/namespaces/*/scripts/${id}` }),
  create_kv: () => ({ method: "POST", path: `${ACCOUNT}/storage/kv/namespaces` }),
  create_r2: () => ({ method: "POST", path: `${ACCOUNT}/r2/buckets` }),
  create_d1: () => ({ method: "POST", path: `${ACCOUNT}/d1/database` }),
  apply_migrations: () => ({ method: "POST", path: `${ACCOUNT}/d1/database/*/query` }),
} as const;

const serverError = { kind: "fail", status: 500, code: 10000, message: "Injected: internal error" } as const;

async function expectServed(id: string) {
  expect(await (await visit(id, "/")).text()).toBe("hi from v1");
  expect(await (await visit(id, "/d1")).text()).toBe("d1-ok");
}

describe("a provisioning step that fails, then works", () => {
  for (const [step, call] of Object.entries(STEP_CALLS)) {
    for (const times of [1, 3]) {
      it(`${step}, failing ${times === 1 ? "once" : "three times"}: the tenant ends active, with nothing orphaned`, async () => {
        const id = uniqueId(step.replaceAll("_", "-").slice(0, 9));
        await injectFault({ ...call(id), times, action: serverError });
        const created = await api("POST", "/v1/tenants", newTenant(id));
        expect(created.status, created.text).toBe(202);
        const tenant = await settled(id, ["active", "failed"]);
        expect(tenant.state, JSON.stringify(tenant.lastError)).toBe("active");
        await expectResourcesMatchRegistry(tenant);
        await expectServed(id);
      });
    }
  }
});

describe("a provisioning step that fails for good", () => {
  for (const step of ["create_r2", "create_d1", "apply_migrations"] as const) {
    it(`${step}: the tenant ends failed, everything it created removed`, async () => {
      const id = uniqueId("doomed");
      await injectFault({ ...STEP_CALLS[step](), times: 1000, action: serverError });
      const created = await api("POST", "/v1/tenants", newTenant(id, { hostnames: [`www.${id}.example`] }));
      expect(created.status, created.text).toBe(202);
      const tenant = await settled(id, ["active", "failed"]);
      await clearFaults();
      expect(tenant.state).toBe("failed");
      expect(tenant.lastError?.message).toContain("Injected: internal error");
      expect(tenant.resources).toEqual({ kv: null, r2: null, d1: null });
      expect(await emulatorResourcesOf(id)).toEqual({ kv: [], r2: [], d1: [], script: false });
      // Its hostnames are free again, and nothing routes to it.
      expect((await visit(id, "/")).status).toBe(404);
      const other = await api("POST", "/v1/tenants", newTenant(uniqueId("heir"), { hostnames: [`www.${id}.example`] }));
      expect(other.status, other.text).toBe(202);
    });
  }

  it("a failed tenant can be deleted, and then onboarded again under the same id", async () => {
    const id = uniqueId("again");
    await injectFault({ ...STEP_CALLS.create_d1(), times: 1000, action: serverError });
    await api("POST", "/v1/tenants", newTenant(id));
    expect((await settled(id, ["active", "failed"])).state).toBe("failed");
    await clearFaults();
    expect((await api("DELETE", `/v1/tenants/${id}`)).status).toBe(202);
    expect((await settled(id, ["deleted", "failed"])).state).toBe("deleted");
    expect((await api("POST", "/v1/tenants", newTenant(id))).status).toBe(202);
    const tenant = await settled(id, ["active", "failed"]);
    expect(tenant.state).toBe("active");
    await expectResourcesMatchRegistry(tenant);
  });
});

describe("rate limiting and crashes", () => {
  it("a 429 with Retry-After: the step waits and the tenant ends active", async () => {
    const id = uniqueId("limited");
    await injectFault({
      ...STEP_CALLS.create_kv(),
      times: 2,
      action: {
        kind: "fail",
        status: 429,
        code: 971,
        message: "Please wait and consider throttling your request speed",
        retryAfter: 1,
      },
    });
    const started = Date.now();
    await api("POST", "/v1/tenants", newTenant(id));
    const tenant = await settled(id, ["active", "failed"]);
    expect(tenant.state).toBe("active");
    // It waited for the Retry-After (one second, twice) rather than hammering the API.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    await expectResourcesMatchRegistry(tenant);
  });

  it("the control plane's objects are reset mid-step: the operation resumes and the tenant ends active", async () => {
    const id = uniqueId("crash");
    // D1's create hangs long enough for the reset to hit while the step waits on it.
    await injectFault({ ...STEP_CALLS.create_d1(), times: 1, action: { kind: "hang", ms: 30_000 } });
    expect((await api("POST", "/v1/tenants", newTenant(id))).status).toBe(202);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      const { json } = await api("GET", `/v1/tenants/${id}`);
      if (json.operation?.step === "create_d1") break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await abortAllDurableObjects();
    const tenant = await settled(id, ["active", "failed"]);
    expect(tenant.state).toBe("active");
    await expectResourcesMatchRegistry(tenant);
    await expectServed(id);
  });
});

describe("deleting", () => {
  it("removes the script, the routes, KV, R2 (emptied first) and D1; the tenant ends deleted", async () => {
    const id = uniqueId("gone");
    await api("POST", "/v1/tenants", newTenant(id, { hostnames: [`shop.${id}.example`] }));
    await settled(id, ["active"]);
    // Something in the bucket, so that it has to be emptied before it can go.
    expect(await (await visit(id, "/r2")).text()).toBe("r2-ok");
    const deleting = await api("DELETE", `/v1/tenants/${id}`);
    expect(deleting.status).toBe(202);
    expect(deleting.json.state).toBe("deleting");
    const tenant = await settled(id, ["deleted", "failed"]);
    expect(tenant.state).toBe("deleted");
    expect(await emulatorResourcesOf(id)).toEqual({ kv: [], r2: [], d1: [], script: false });
    expect((await visit(id, "/")).status).toBe(404);
    // Deleting again: the tenant is gone.
    expect((await api("DELETE", `/v1/tenants/${id}`)).status).toBe(404);
  });

  it("a delete whose calls fail for a while still removes everything", async () => {
    const id = uniqueId("stubborn");
    await api("POST", "/v1/tenants", newTenant(id));
    await settled(id, ["active"]);
    await injectFault({ method: "DELETE", path: `${ACCOUNT}/d1/database/*`, times: 2, action: serverError });
    await api("DELETE", `/v1/tenants/${id}`);
    expect((await settled(id, ["deleted", "failed"])).state).toBe("deleted");
    expect(await emulatorResourcesOf(id)).toEqual({ kv: [], r2: [], d1: [], script: false });
  });
});

describe("changes queued behind a provisioning that fails", () => {
  it("are not run: no script is uploaded for a tenant that ended failed", async () => {
    const id = uniqueId("queued");
    await injectFault({ ...STEP_CALLS.create_d1(), times: 1000, action: serverError });
    expect((await api("POST", "/v1/tenants", newTenant(id, { script: undefined }))).status).toBe(202);
    const deploy = await api("PUT", `/v1/tenants/${id}/script`, newTenant(id).script);
    expect(deploy.status, deploy.text).toBe(202);
    const tenant = await settled(id, ["failed"]);
    await clearFaults();
    expect(tenant.operation?.kind).toBe("deploy");
    expect(tenant.operation?.error?.code).toBe("cancelled");
    expect(await emulatorResourcesOf(id)).toEqual({ kv: [], r2: [], d1: [], script: false });
  });
});
