import { beforeAll, describe, expect, it } from "vitest";
import { api, ensureNamespace, expectResourcesMatchRegistry, newTenant, settled, uniqueId, visit } from "./support";

beforeAll(ensureNamespace);

describe("onboarding", () => {
  it("provisions KV, R2 and D1, uploads the script, routes the tenant, and the dispatcher serves it", async () => {
    const id = uniqueId("acme");
    const created = await api("POST", "/v1/tenants", newTenant(id));
    expect(created.status, created.text).toBe(202);
    expect(created.json.state).toBe("provisioning");
    expect(created.json.hostnames).toEqual([`${id}.localhost`]);

    const tenant = await settled(id, ["active", "failed"]);
    expect(tenant.state).toBe("active");
    expect(tenant.lastError).toBeNull();
    expect(tenant.resources.kv?.title).toBe(`t-${id}-kv`);
    expect(tenant.resources.r2?.name).toBe(`t-${id}-r2`);
    expect(tenant.resources.d1?.name).toBe(`t-${id}-d1`);
    expect(tenant.script?.etag).toMatch(/.+/);
    await expectResourcesMatchRegistry(tenant);

    expect(await (await visit(id, "/")).text()).toBe("hi from v1");
    expect(await (await visit(id, "/kv")).text()).toBe("kv-ok");
    expect(await (await visit(id, "/r2")).text()).toBe("r2-ok");
    expect(await (await visit(id, "/d1")).text()).toBe("d1-ok");
  });
});
