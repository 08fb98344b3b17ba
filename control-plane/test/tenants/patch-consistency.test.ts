import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { routeKey } from "../../../platform/routes";
import type { ScriptSource, TenantView } from "../../../platform/tenants-api";
import { deleteOwnRoutes } from "../../src/routing/routing-table";
import { expectError } from "./api-support";
import { makeLive } from "./custom-hostname-support";
import { eventually } from "./eventually";
import {
  api,
  clearFaults,
  emulator,
  ensureNamespace,
  injectFault,
  newTenant,
  routeOf,
  settled,
  testEnv,
  uniqueId,
} from "./support";

beforeAll(ensureNamespace);
afterEach(clearFaults);

const SCRIPTS = "/accounts/*/workers/dispatch/namespaces/*/scripts";

/** Starts only while its MODE var is not "explode": a re-upload with that var is refused (10021). */
const MOODY_APP: ScriptSource = {
  mainModule: "index.js",
  modules: {
    "index.js": `import { env } from "cloudflare:workers";
if (env.MODE === "explode") throw new Error("cannot start in explode mode");
export default { fetch: () => new Response("mode " + env.MODE) };`,
  },
};

async function onboard(prefix: string, overrides: Parameters<typeof newTenant>[1] = {}): Promise<string> {
  const id = uniqueId(prefix);
  const created = await api("POST", "/v1/tenants", newTenant(id, overrides));
  expect(created.status, created.text).toBe(202);
  expect((await settled(id, ["active", "failed"])).state).toBe("active");
  return id;
}

const byHost = (hostname: string) => testEnv.DISPATCHER_HTTP.fetch(`http://${hostname}/`);

async function scriptTags(id: string): Promise<string[]> {
  const { json } = await emulator(
    "GET",
    `/client/v4/accounts/${testEnv.CLOUDFLARE_ACCOUNT_ID}/workers/dispatch/namespaces/${testEnv.DISPATCH_NAMESPACE}/scripts/${id}/tags`,
  );
  return (json.result as string[]).sort();
}

describe("a late operation of one tenant never removes another tenant's route", () => {
  it("A gives up H while its slow re-upload runs, B takes H: once all settles, H is B's everywhere", async () => {
    const host = `shared-${uniqueId("h")}.example.com`;
    const a = await onboard("late-a", { hostnames: [host] });
    const b = await onboard("late-b");
    // A's re-upload (its plan changes) is slow.
    await injectFault({ method: "PUT", path: `${SCRIPTS}/${a}`, times: 1, action: { kind: "delay", ms: 3000 } });
    const patchA = api("PATCH", `/v1/tenants/${a}`, { hostnames: [], plan: "enterprise" });
    // A's routes change before its upload: H is free once A's route for it is gone.
    await eventually(async () => {
      const claimB = await api("PATCH", `/v1/tenants/${b}`, { hostnames: [host] });
      return claimB.status === 202 ? claimB : null;
    });
    expect((await routeOf(host))?.tenantId ?? null).not.toBe(a);
    expect((await patchA).status).toBe(202);
    const [tenantA, tenantB] = [await settled(a, ["active"]), await settled(b, ["active"])];

    // The registry, the routing table and the dispatcher agree: H is B's.
    expect(tenantA.hostnames).toEqual([`${a}.localhost`]);
    expect(tenantA.plan).toBe("enterprise");
    expect(tenantB.hostnames).toEqual([`${b}.localhost`, host]);
    expect((await routeOf(host))?.tenantId).toBe(b);
    // B's own custom hostname (A's went with A's claim) is served once validated.
    await makeLive(b, host);
    expect(
      await (await eventually(async () => ((await byHost(host)).status === 200 ? byHost(host) : null))).text(),
    ).toBe("hi from v1");
    const taken = await api("PATCH", `/v1/tenants/${a}`, { hostnames: [host] });
    expectError(taken, 409, "hostname_taken");
  });

  it("a hostname still being released is not another tenant's to take yet", async () => {
    const host = `releasing-${uniqueId("h")}.example.com`;
    const a = await onboard("rel-a", { hostnames: [host] });
    const b = await onboard("rel-b");
    // A's routing step cannot run while this hangs: A's earlier deploy holds its queue.
    await injectFault({ method: "PUT", path: `${SCRIPTS}/${a}`, times: 1, action: { kind: "delay", ms: 3000 } });
    const deploy = api("PUT", `/v1/tenants/${a}/script`, newTenant(a).script);
    await eventually(async () => {
      const tenant = (await api("GET", `/v1/tenants/${a}`)).json;
      return tenant.operation?.state === "running" ? tenant : null;
    });
    expect((await api("PATCH", `/v1/tenants/${a}`, { hostnames: [] })).status).toBe(202);
    const early = await api("PATCH", `/v1/tenants/${b}`, { hostnames: [host] });
    const error = expectError(early, 409, "hostname_taken");
    expect(error.message).toContain(host);
    expect((await routeOf(host))?.tenantId).toBe(a);
    await deploy;
    await settled(a, ["active"]);
    expect((await api("PATCH", `/v1/tenants/${b}`, { hostnames: [host] })).status).toBe(202);
    await settled(b, ["active"]);
    expect((await routeOf(host))?.tenantId).toBe(b);
  });

  it("deleting a route leaves it where it names another tenant", async () => {
    const host = `guarded-${uniqueId("h")}.example.com`;
    const record = { tenantId: "tenant-b", scriptName: "tenant-b", plan: "pro", status: "active" };
    await testEnv.ROUTES.put(routeKey(host), JSON.stringify(record));
    await deleteOwnRoutes(testEnv.ROUTES, "tenant-a", [host]);
    expect(await routeOf(host)).toEqual(record);
    await deleteOwnRoutes(testEnv.ROUTES, "tenant-b", [host]);
    expect(await routeOf(host)).toBeNull();
  });
});

describe("a PATCH that cannot be applied leaves GET telling what is live", () => {
  it("a re-upload the API refuses: 422, and the plan, vars and tags stay; the hostnames change, which needs no upload", async () => {
    const oldHost = `old-${uniqueId("h")}.example.com`;
    const newHost = `new-${uniqueId("h")}.example.com`;
    const id = await onboard("refused", { script: MOODY_APP, vars: { MODE: "calm" }, hostnames: [oldHost] });

    const patched = await api("PATCH", `/v1/tenants/${id}`, {
      plan: "enterprise",
      vars: { MODE: "explode" },
      hostnames: [newHost],
    });
    const error = expectError(patched, 422, "script_rejected");
    expect(error.message).toContain("cannot start in explode mode");

    const tenant = await settled(id, ["active"]);
    expect(tenant.plan).toBe("pro");
    expect(tenant.vars).toEqual({ MODE: "calm" });
    expect(tenant.hostnames).toEqual([`${id}.localhost`, newHost]);
    expect(tenant.pending).toBeNull();
    expect(tenant.lastError?.code).toBe("script_rejected");
    // What is live is what GET says.
    expect(await routeOf(oldHost)).toBeNull();
    // Pending until Cloudflare for SaaS has validated the tenant's own domain.
    expect(await routeOf(newHost)).toMatchObject({ tenantId: id, plan: "pro", status: "pending" });
    await makeLive(id, newHost);
    expect(await scriptTags(id)).toEqual(["plan:pro", `tenant:${id}`]);
    const served = await eventually(async () => {
      const response = await byHost(newHost);
      return response.status === 200 ? response.text() : null;
    });
    expect(served).toBe("mode calm");
  });

  it("routes change while the re-upload is still running: GET shows the new plan and vars as pending, then live", async () => {
    const newHost = `soon-${uniqueId("h")}.example.com`;
    const id = await onboard("pending", { script: MOODY_APP, vars: { MODE: "calm" } });
    await injectFault({ method: "PUT", path: `${SCRIPTS}/${id}`, times: 1, action: { kind: "delay", ms: 4000 } });
    const patch = api("PATCH", `/v1/tenants/${id}`, { plan: "free", vars: { MODE: "busy" }, hostnames: [newHost] });
    const during = await eventually(async () => {
      const tenant = (await api("GET", `/v1/tenants/${id}`)).json;
      return tenant.operation?.step === "upload_script" ? tenant : null;
    });
    // Routed already, with the live plan; the new settings wait for the upload.
    expect((await routeOf(newHost))?.plan).toBe("pro");
    expect(during.hostnames).toEqual([`${id}.localhost`, newHost]);
    expect(during.plan).toBe("pro");
    expect(during.vars).toEqual({ MODE: "calm" });
    expect(during.pending).toEqual({ plan: "free", vars: { MODE: "busy" } } satisfies TenantView["pending"]);

    expect((await patch).status).toBe(202);
    const tenant = await settled(id, ["active"]);
    expect([tenant.plan, tenant.vars, tenant.pending]).toEqual(["free", { MODE: "busy" }, null]);
    expect((await routeOf(newHost))?.plan).toBe("free");
    expect(await scriptTags(id)).toEqual(["plan:free", `tenant:${id}`]);
  });
});

describe("a secret and a var never share a name, even with the var's PATCH still queued", () => {
  it("a secret named like a var a running PATCH gives is a 409, and the tenant can still deploy", async () => {
    const id = await onboard("var-secret");
    // The PATCH's re-upload is slow, so the PATCH is still running when the secret comes.
    await injectFault({ method: "PUT", path: `${SCRIPTS}/${id}`, times: 1, action: { kind: "delay", ms: 3000 } });
    const patch = api("PATCH", `/v1/tenants/${id}`, { vars: { FOO: "plain" } });
    await eventually(async () => {
      const tenant = (await api("GET", `/v1/tenants/${id}`)).json;
      return tenant.operation?.state === "running" ? tenant : null;
    });
    const secret = await api("PUT", `/v1/tenants/${id}/secrets/FOO`, { value: "hidden" });
    expect(expectError(secret, 409, "conflict").message).toContain('"FOO"');
    expect((await patch).status).toBe(202);
    const tenant = await settled(id, ["active"]);
    expect(tenant.vars).toMatchObject({ FOO: "plain" });
    expect(tenant.secrets).not.toContain("FOO");
    const deployed = await api("PUT", `/v1/tenants/${id}/script`, newTenant(id).script);
    expect(deployed.status, deployed.text).toBe(202);
  });
});

describe("a DELETE while the tenant's provisioning runs", () => {
  it("keeps the tenant deleting until it is gone: the provisioning's end does not show it live, nor take changes", async () => {
    const id = uniqueId("del-during");
    // The provisioning is slow, so the DELETE is queued behind it.
    await injectFault({
      method: "POST",
      path: "/accounts/*/d1/database",
      times: 1,
      action: { kind: "delay", ms: 2000 },
    });
    // And so is the teardown's removal of the script, which the tenant's state must outlast.
    await injectFault({ method: "DELETE", path: `${SCRIPTS}/${id}`, times: 1, action: { kind: "delay", ms: 2000 } });
    expect((await api("POST", "/v1/tenants", newTenant(id))).status).toBe(202);
    const deleting = await api("DELETE", `/v1/tenants/${id}`);
    expect(deleting.status, deleting.text).toBe(202);
    const states = new Set<string>();
    const refusals = new Set<number>();
    await eventually(async () => {
      const { state } = (await api("GET", `/v1/tenants/${id}`)).json;
      if (state === "deleted") return true;
      states.add(state);
      refusals.add((await api("PATCH", `/v1/tenants/${id}`, { vars: { LATE: "yes" } })).status);
      return null;
    });
    expect([...states]).toEqual(["deleting"]);
    expect([...refusals]).toEqual([409]);
  });
});
