import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ErrorBody, RolloutView, ScriptSource, TenantView } from "../../../platform/tenants-api";
import {
  api,
  clearFaults,
  emulator,
  ensureNamespace,
  expectResourcesMatchRegistry,
  faultNow,
  injectFault,
  settled,
  testEnv,
  uniqueId,
  visit,
} from "./support";

beforeAll(ensureNamespace);
afterEach(clearFaults);

// Issue 12: tenants' Durable Objects, from the API's request to the emulator's script and back on GET.

/** `/<BINDING>` counts in the object "a" of that binding's class; Room and Lobby both count. */
const ROOMS = `import { DurableObject } from "cloudflare:workers";
export class Room extends DurableObject {
  async fetch() {
    const n = (this.ctx.storage.kv.get("n") ?? 0) + 1;
    this.ctx.storage.kv.put("n", n);
    return new Response(String(n));
  }
}
export class Lobby extends Room {}
export default {
  async fetch(request, env) {
    const binding = new URL(request.url).pathname.slice(1);
    const namespace = env[binding];
    if (namespace === undefined) return new Response("unbound " + binding, { status: 404 });
    return namespace.getByName("a").fetch(request);
  },
};`;

const rooms = (extra: Partial<ScriptSource> = {}): ScriptSource => ({
  mainModule: "index.js",
  modules: { "index.js": ROOMS },
  ...extra,
});

const NO_STORAGE = { kv: false, r2: false, d1: false };
const scriptPath = (id: string, rest = "") =>
  `/client/v4/accounts/${testEnv.CLOUDFLARE_ACCOUNT_ID}/workers/dispatch/namespaces/${testEnv.DISPATCH_NAMESPACE}/scripts/${id}${rest}`;

/** The Durable Object bindings of the tenant's script, as the emulator has them. */
async function boundObjects(id: string) {
  const { status, json } = await emulator("GET", scriptPath(id, "/settings"));
  expect(status).toBe(200);
  const { bindings } = json.result as {
    bindings: { type: string; name: string; class_name?: string; namespace_id?: string }[];
  };
  return bindings
    .filter((binding) => binding.type === "durable_object_namespace")
    .map(({ name, class_name, namespace_id }) => ({ name, class_name, namespace_id }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** The script's migration tag, as the emulator has it. */
async function liveTag(id: string): Promise<string | null> {
  const { status, json } = await emulator("GET", scriptPath(id));
  expect(status).toBe(200);
  return (json.result as { script: { migration_tag?: string } }).script.migration_tag ?? null;
}

const count = async (id: string, binding: string) => {
  const response = await visit(id, `/${binding}`);
  return `${response.status} ${await response.text()}`;
};

async function onboard(id: string, script: ScriptSource): Promise<TenantView> {
  const created = await api("POST", "/v1/tenants", {
    id,
    plan: "pro",
    resources: NO_STORAGE,
    script,
    vars: { GREETING: "hi" },
  });
  expect(created.status, created.text).toBe(202);
  const tenant = await settled(id, ["active", "failed"]);
  expect(tenant.state, JSON.stringify(tenant.lastError)).toBe("active");
  return tenant;
}

async function deploy(id: string, script: ScriptSource): Promise<TenantView> {
  const put = await api("PUT", `/v1/tenants/${id}/script`, script);
  expect(put.status, put.text).toBe(202);
  const tenant = await settled(id, ["active", "failed"]);
  expect(tenant.operation?.state, JSON.stringify(tenant.operation)).toBe("succeeded");
  return tenant;
}

const errorOf = (json: unknown) => (json as ErrorBody).error;

describe("a tenant's Durable Objects", () => {
  it("are created on onboarding, added with old_tag, kept when unbound, and deleted only when asked", async () => {
    const id = uniqueId("rooms");
    // Two bindings of one class: one class, one namespace.
    const tenant = await onboard(id, rooms({ durableObjects: { ROOM: "Room", ALSO_ROOM: "Room" } }));
    const first = tenant.script?.durableObjects;
    expect(first).toMatchObject({ bindings: { ROOM: "Room", ALSO_ROOM: "Room" }, classes: ["Room"] });
    expect(first?.migrationTag).toMatch(/^v1-[0-9a-f]{8}$/);
    expect(await liveTag(id)).toBe(first?.migrationTag);
    const bound = await boundObjects(id);
    expect(bound.map(({ name, class_name }) => ({ name, class_name }))).toEqual([
      { name: "ALSO_ROOM", class_name: "Room" },
      { name: "ROOM", class_name: "Room" },
    ]);
    expect(bound[0]?.namespace_id).toMatch(/\S/);
    expect(bound[0]?.namespace_id).toBe(bound[1]?.namespace_id);
    await expectResourcesMatchRegistry(tenant);
    expect(await count(id, "ROOM")).toBe("200 1");
    expect(await count(id, "ALSO_ROOM")).toBe("200 2");

    // A second class: a migration from the recorded tag; Room's objects keep their data.
    const added = (await deploy(id, rooms({ durableObjects: { ROOM: "Room", LOBBY: "Lobby" } }))).script
      ?.durableObjects;
    expect(added).toMatchObject({ bindings: { ROOM: "Room", LOBBY: "Lobby" }, classes: ["Lobby", "Room"] });
    expect(added?.migrationTag).toMatch(/^v2-[0-9a-f]{8}$/);
    expect(await liveTag(id)).toBe(added?.migrationTag);
    expect(await count(id, "ROOM")).toBe("200 3");
    expect(await count(id, "LOBBY")).toBe("200 1");
    expect(await count(id, "ALSO_ROOM")).toBe("404 unbound ALSO_ROOM");

    // LOBBY's binding dropped, nothing deleted: the class stays, with no migration at all.
    const kept = (await deploy(id, rooms({ durableObjects: { ROOM: "Room" } }))).script?.durableObjects;
    expect(kept).toEqual({ bindings: { ROOM: "Room" }, classes: ["Lobby", "Room"], migrationTag: added?.migrationTag });
    expect(await liveTag(id)).toBe(added?.migrationTag);
    expect((await boundObjects(id)).map((binding) => binding.name)).toEqual(["ROOM"]);
    expect(await count(id, "LOBBY")).toBe("404 unbound LOBBY");
    // Bound again: the same class, with its data.
    await deploy(id, rooms({ durableObjects: { ROOM: "Room", LOBBY: "Lobby" } }));
    expect(await count(id, "LOBBY")).toBe("200 2");

    // Deleted on request: gone with its data; bound again later, it is a new class that starts from nothing.
    const deleted = (
      await deploy(id, rooms({ durableObjects: { ROOM: "Room" }, deletedDurableObjectClasses: ["Lobby"] }))
    ).script?.durableObjects;
    expect(deleted).toMatchObject({ bindings: { ROOM: "Room" }, classes: ["Room"] });
    expect(deleted?.migrationTag).toMatch(/^v3-[0-9a-f]{8}$/);
    expect(await liveTag(id)).toBe(deleted?.migrationTag);
    await deploy(id, rooms({ durableObjects: { ROOM: "Room", LOBBY: "Lobby" } }));
    expect(await count(id, "LOBBY")).toBe("200 1");
    expect(await count(id, "ROOM")).toBe("200 4");

    // A PATCH that changes only vars re-uploads the same bundle: bindings kept, no migration.
    const patched = await api("PATCH", `/v1/tenants/${id}`, { vars: { GREETING: "hello" } });
    expect(patched.status, patched.text).toBe(202);
    const after = await settled(id, ["active"]);
    expect(after.script?.durableObjects.classes).toEqual(["Lobby", "Room"]);
    expect(await count(id, "ROOM")).toBe("200 5");

    // Deleting the tenant deletes the script, its classes and their objects.
    expect((await api("DELETE", `/v1/tenants/${id}`)).status).toBe(202);
    const gone = await settled(id, ["deleted", "failed"]);
    expect(gone.state).toBe("deleted");
    expect((await emulator("GET", scriptPath(id))).status).toBe(404);
  });

  it("refuses bad input with a 400 naming the field, and changes nothing", async () => {
    const id = uniqueId("badrooms");
    const refused = async (method: string, path: string, body: unknown, field: string, message: RegExp) => {
      const answer = await api(method, path, body);
      expect(answer.status, answer.text).toBe(400);
      const error = errorOf(answer.json);
      expect(error.code).toBe("invalid_request");
      expect(error.details?.map((detail) => detail.path)).toContain(field);
      expect(error.message).toMatch(message);
    };
    const create = (script: ScriptSource, extra: Record<string, unknown> = {}) => ({
      id,
      plan: "pro",
      resources: NO_STORAGE,
      script,
      vars: { GREETING: "hi" },
      ...extra,
    });

    await refused(
      "POST",
      "/v1/tenants",
      create(rooms({ durableObjects: { ROOM: "1Room" } })),
      "script.durableObjects.ROOM",
      /identifiers/,
    );
    await refused(
      "POST",
      "/v1/tenants",
      create(rooms({ durableObjects: { KV: "Room" } })),
      "script.durableObjects.KV",
      /KV/,
    );
    await refused(
      "POST",
      "/v1/tenants",
      create(rooms({ durableObjects: { GREETING: "Room" } })),
      "script.durableObjects.GREETING",
      /is a var too/,
    );
    await refused(
      "POST",
      "/v1/tenants",
      create(rooms({ durableObjects: { TOKEN: "Room" } }), { secrets: { TOKEN: "t0ken-value" } }),
      "script.durableObjects.TOKEN",
      /is a secret too/,
    );
    await refused(
      "POST",
      "/v1/tenants",
      create(rooms({ deletedDurableObjectClasses: ["Lobby"] })),
      "script.deletedDurableObjectClasses.0",
      /new tenant/,
    );
    expect((await api("GET", `/v1/tenants/${id}`)).status, "nothing was created").toBe(404);

    const tenant = await onboard(id, rooms({ durableObjects: { ROOM: "Room" } }));
    const before = tenant.script?.durableObjects;
    const script = `/v1/tenants/${id}/script`;
    await refused(
      "PUT",
      script,
      rooms({ durableObjects: { ROOM: "Room" }, deletedDurableObjectClasses: ["Lobby"] }),
      "deletedDurableObjectClasses.0",
      /not a Durable Object class of the tenant \(it has: Room\)/,
    );
    await refused(
      "PUT",
      script,
      rooms({ durableObjects: { ROOM: "Room" }, deletedDurableObjectClasses: ["Room"] }),
      "deletedDurableObjectClasses.0",
      /still bound \(durableObjects\.ROOM\)/,
    );
    await refused(
      "PUT",
      script,
      rooms({ durableObjects: { ROOM: "Room", GREETING: "Lobby" } }),
      "durableObjects.GREETING",
      /one of the tenant's vars/,
    );
    await refused("PUT", script, rooms({ durableObjects: { ROOM: "Room$-" } }), "durableObjects.ROOM", /identifiers/);

    // Across requests: a var named like a binding is a conflict, as a var named like a secret is.
    const patch = await api("PATCH", `/v1/tenants/${id}`, { vars: { ROOM: "x" } });
    expect(patch.status, patch.text).toBe(409);
    expect(errorOf(patch.json).message).toMatch(/Durable Object bindings/);
    const secret = await api("PUT", `/v1/tenants/${id}/secrets/ROOM`, { value: "v" });
    expect(secret.status, secret.text).toBe(409);

    // A class the main module does not export: the API's 10061, the request's 422; the tenant keeps what it had.
    const missing = await api("PUT", script, rooms({ durableObjects: { ROOM: "Room", HALL: "Hall" } }));
    expect(missing.status, missing.text).toBe(422);
    expect(errorOf(missing.json).code).toBe("script_rejected");
    expect(errorOf(missing.json).message).toMatch(/Hall/);
    const unchanged = await settled(id, ["active"]);
    expect(unchanged.script?.durableObjects).toEqual(before);
    expect(await liveTag(id)).toBe(before?.migrationTag);
    expect(await count(id, "ROOM")).toBe("200 1");

    // Onboarded with such a class: the provisioning fails, undone, and says why.
    const failing = uniqueId("badrooms");
    const provisioned = await api("POST", "/v1/tenants", {
      ...create(rooms({ durableObjects: { HALL: "Hall" } })),
      id: failing,
    });
    expect(provisioned.status, provisioned.text).toBe(202);
    const failed = await settled(failing, ["active", "failed"]);
    expect(failed.state).toBe("failed");
    expect(failed.lastError).toMatchObject({ code: "script_rejected", message: expect.stringMatching(/Hall/) });
    expect((await emulator("GET", scriptPath(failing))).status, "its script was removed").toBe(404);
  });

  it("roll out with each tenant's own migration", async () => {
    const fresh = uniqueId("ro-fresh");
    const roomy = uniqueId("ro-roomy");
    const clash = uniqueId("ro-clash");
    await onboard(fresh, rooms());
    const had = await onboard(roomy, rooms({ durableObjects: { ROOM: "Room" } }));
    expect(await count(roomy, "ROOM")).toBe("200 1");
    // A tenant with a var named like one of the rollout's bindings: its upload alone fails, nothing of it changes.
    await onboard(clash, rooms());
    const patched = await api("PATCH", `/v1/tenants/${clash}`, { vars: { LOBBY: "a var" } });
    expect(patched.status, patched.text).toBe(202);
    await settled(clash, ["active"]);

    const started = await api("POST", "/v1/rollouts", {
      script: rooms({ durableObjects: { ROOM: "Room", LOBBY: "Lobby" }, deletedDurableObjectClasses: ["Hall"] }),
      filter: { tenants: [fresh, roomy, clash] },
      canary: { tenants: 0 },
    });
    expect(started.status, started.text).toBe(202);
    const rolloutId = (started.json as unknown as RolloutView).id;
    let rollout: RolloutView | undefined;
    for (let i = 0; i < 300; i++) {
      rollout = (await api("GET", `/v1/rollouts/${rolloutId}`)).json as unknown as RolloutView;
      if (rollout.state !== "running") break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(rollout).toMatchObject({ state: "completed", succeeded: 2, failed: 1 });
    expect(rollout?.failures).toEqual([
      {
        tenantId: clash,
        message: expect.stringMatching(/binds a Durable Object as "LOBBY", which is one of the tenant's vars/),
      },
    ]);
    const clashed = await settled(clash, ["active"]);
    expect(clashed.lastError?.code).toBe("binding_conflict");
    expect(clashed.script?.durableObjects).toEqual({ bindings: {}, classes: [], migrationTag: null });
    expect(await liveTag(clash)).toBeNull();

    const freshTenant = await settled(fresh, ["active"]);
    expect(freshTenant.script?.durableObjects.classes).toEqual(["Lobby", "Room"]);
    expect(freshTenant.script?.durableObjects.migrationTag).toMatch(/^v1-/);
    const roomyTenant = await settled(roomy, ["active"]);
    expect(roomyTenant.script?.durableObjects.classes).toEqual(["Lobby", "Room"]);
    expect(roomyTenant.script?.durableObjects.migrationTag).toMatch(/^v2-/);
    expect(roomyTenant.script?.durableObjects.migrationTag).not.toBe(had.script?.durableObjects.migrationTag);
    for (const id of [fresh, roomy]) {
      expect(await liveTag(id)).toBe((await settled(id, ["active"])).script?.durableObjects.migrationTag);
      expect((await boundObjects(id)).map((binding) => binding.name)).toEqual(["LOBBY", "ROOM"]);
    }
    expect(await count(fresh, "ROOM")).toBe("200 1");
    expect(await count(roomy, "ROOM")).toBe("200 2");
    expect(await count(roomy, "LOBBY")).toBe("200 1");
  });

  it("an upload whose migration went through but whose answer was lost is recognised by its tag on the retry", async () => {
    const id = uniqueId("lostrooms");
    const tenant = await onboard(id, rooms({ durableObjects: { ROOM: "Room" } }));
    const before = tenant.script?.durableObjects.migrationTag;
    // The upload runs (the migration is applied, the tag moves on), its answer is lost: the retry's old_tag
    // is stale (10079), and the tag it finds is the one this operation writes.
    const rule = await injectFault({
      method: "PUT",
      path: `/accounts/*/workers/dispatch/namespaces/*/scripts/${id}`,
      times: 1,
      action: { kind: "lose" },
    });
    const after = await deploy(id, rooms({ durableObjects: { ROOM: "Room", LOBBY: "Lobby" } }));
    expect((await faultNow(rule.id)).hits).toBe(1);
    expect(after.lastError).toBeNull();
    expect(after.script?.durableObjects.classes).toEqual(["Lobby", "Room"]);
    expect(after.script?.durableObjects.migrationTag).toMatch(/^v2-/);
    expect(after.script?.durableObjects.migrationTag).not.toBe(before);
    expect(await liveTag(id)).toBe(after.script?.durableObjects.migrationTag);
    expect((await boundObjects(id)).map((binding) => binding.name)).toEqual(["LOBBY", "ROOM"]);
    expect(await count(id, "LOBBY")).toBe("200 1");
  });
});
