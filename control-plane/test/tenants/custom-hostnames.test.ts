import { beforeAll, describe, expect, it } from "vitest";
import type { CustomHostnameView } from "../../../platform/custom-hostname-view";
import type { TenantView } from "../../../platform/tenants-api";
import { publishRecords } from "./custom-hostname-support";
import { eventually } from "./eventually";
import { api, emulator, ensureNamespace, newTenant, routeOf, settled, testEnv, uniqueId } from "./support";

beforeAll(ensureNamespace);

const zonePath = () => `/client/v4/zones/${testEnv.CLOUDFLARE_ZONE_ID}/custom_hostnames`;

/** The zone's custom hostnames named `hostname`, as the emulator holds them. */
async function onZone(hostname: string): Promise<{ id: string; hostname: string }[]> {
  const { json } = await emulator("GET", `${zonePath()}?hostname=${hostname}`);
  return (json.result as { id: string; hostname: string }[]).filter((found) => found.hostname === hostname);
}

async function tenantOf(id: string): Promise<TenantView> {
  return (await api("GET", `/v1/tenants/${id}`)).json as TenantView;
}

async function onboard(hostname: string): Promise<string> {
  const id = uniqueId("ch");
  const created = await api("POST", "/v1/tenants", newTenant(id, { hostnames: [hostname] }));
  expect(created.status, created.text).toBe(202);
  const view = await settled(id, ["active", "failed"], 150_000);
  expect(view.state, JSON.stringify(view)).toBe("active");
  return id;
}

describe("tenants' own domains (custom hostnames)", () => {
  it("creates the custom hostname, shows its records, routes it pending, and routes it active once they are published", async () => {
    const hostname = `shop-${crypto.randomUUID().slice(0, 8)}.example.com`;
    const id = await onboard(hostname);
    expect(await onZone(hostname)).toHaveLength(1);

    const [pending] = (await tenantOf(id)).customHostnames;
    expect(pending?.hostname).toBe(hostname);
    expect(pending?.status).toBe("pending");
    expect(pending?.liveAt).toBeNull();
    expect(pending?.ownership).toMatchObject({ type: "txt", name: `_cf-custom-hostname.${hostname}` });
    expect(pending?.ssl.records.length).toBeGreaterThan(0);
    expect((await routeOf(hostname))?.status).toBe("pending");

    await publishRecords(pending as CustomHostnameView);
    const live = await eventually(async () => {
      const [view] = (await tenantOf(id)).customHostnames;
      return view?.liveAt ? view : null;
    });
    expect(live).toMatchObject({
      status: "active",
      ssl: { status: "active", records: [] },
      ownership: null,
      errors: [],
    });
    expect((await routeOf(hostname))?.status).toBe("active");
  });

  it("reports a hostname whose records never appear, and stops checking it", async () => {
    const hostname = `never-${crypto.randomUUID().slice(0, 8)}.example.com`;
    const id = await onboard(hostname);
    const failed = await eventually(async () => {
      const [view] = (await tenantOf(id)).customHostnames;
      return view !== undefined && view.errors.some((error) => error.includes("no longer checked")) ? view : null;
    }, 90_000);
    expect(failed.liveAt).toBeNull();
    expect(failed.ssl.status).not.toBe("active");
    expect(failed.ssl.records.length).toBeGreaterThan(0);
    expect((await routeOf(hostname))?.status).toBe("pending");
  });

  it("deletes the custom hostname when the tenant gives it up, and when the tenant is deleted", async () => {
    const kept = `kept-${crypto.randomUUID().slice(0, 8)}.example.com`;
    const dropped = `dropped-${crypto.randomUUID().slice(0, 8)}.example.com`;
    const id = uniqueId("ch");
    expect((await api("POST", "/v1/tenants", newTenant(id, { hostnames: [kept, dropped] }))).status).toBe(202);
    expect((await settled(id, ["active", "failed"])).state).toBe("active");
    expect(await onZone(dropped)).toHaveLength(1);

    expect((await api("PATCH", `/v1/tenants/${id}`, { hostnames: [kept] })).status).toBe(202);
    await settled(id, ["active"]);
    expect(await onZone(dropped)).toHaveLength(0);
    expect(await onZone(kept)).toHaveLength(1);
    expect((await tenantOf(id)).customHostnames.map((view) => view.hostname)).toEqual([kept]);

    expect((await api("DELETE", `/v1/tenants/${id}`)).status).toBe(202);
    expect((await settled(id, ["deleted", "failed"])).state).toBe("deleted");
    expect(await onZone(kept)).toHaveLength(0);
  });

  it("refuses another tenant's hostname (409) and leaves its custom hostname alone", async () => {
    const hostname = `taken-${crypto.randomUUID().slice(0, 8)}.example.com`;
    await onboard(hostname);
    const other = uniqueId("ch");
    const refused = await api("POST", "/v1/tenants", newTenant(other, { hostnames: [hostname] }));
    expect(refused.status).toBe(409);
    expect(await onZone(hostname)).toHaveLength(1);
  });
});
