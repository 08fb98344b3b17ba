import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { CustomHostnameView } from "../../../platform/custom-hostname-view";
import type { TenantView } from "../../../platform/tenants-api";
import { DEFAULT_RETRY_POLICY } from "../../src/cloudflare/retry";
import { expectError, expectNothingCreated } from "./api-support";
import { customHostnameOf, publishRecords } from "./custom-hostname-support";
import { eventually } from "./eventually";
import {
  api,
  clearFaults,
  emulator,
  ensureNamespace,
  faultNow,
  injectFault,
  newTenant,
  routeOf,
  settled,
  testEnv,
  uniqueId,
} from "./support";

beforeAll(ensureNamespace);
afterEach(clearFaults);

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
      return view?.errors.some((error) => error.includes("no longer checked")) ? view : null;
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

describe("checking a tenant's own domain again (POST …/custom-hostnames/{hostname}/check)", () => {
  const TIMEOUT = "/__emulator/custom-hostnames/validation-timeout";
  const checkAgain = (id: string, hostname: string, body: unknown = {}) =>
    api("POST", `/v1/tenants/${id}/custom-hostnames/${hostname}/check`, body);

  it("after Cloudflare's validation timed out and the checks stopped, asks again with the same records and checks resume", async () => {
    const hostname = `late-${crypto.randomUUID().slice(0, 8)}.example.com`;
    const id = await onboard(hostname);
    const before = await eventually(() => customHostnameOf(id, hostname));
    const { json: timeout } = await emulator("GET", TIMEOUT);
    let stopped: CustomHostnameView;
    try {
      // Cloudflare gives up on what is pending (production: after 7 days).
      expect((await emulator("PUT", TIMEOUT, { ms: 0 })).status).toBe(200);
      stopped = await eventually(async () => {
        const view = await customHostnameOf(id, hostname);
        return view?.errors.some((error) => error.includes("Cloudflare stopped validating it")) ? view : null;
      });
    } finally {
      expect((await emulator("PUT", TIMEOUT, { ms: (timeout.result as { ms: number }).ms })).status).toBe(200);
    }
    expect(stopped.ssl.status).toBe("validation_timed_out");

    const asked = await checkAgain(id, hostname);
    expect(asked.status, asked.text).toBe(200);
    const view = asked.json as unknown as CustomHostnameView;
    expect(view).toMatchObject({ hostname, status: "pending", errors: [], liveAt: null });
    expect(view.ssl.status).not.toBe("validation_timed_out");
    // The same records: what the tenant published (or was told to) stays right.
    expect(view.ownership).toEqual(before.ownership);
    expect(view.ssl.records).toEqual(before.ssl.records);
    expect((await routeOf(hostname))?.status).toBe("pending");

    // Published now, it goes live through the resumed checks, with no other request.
    await publishRecords(view);
    const live = await eventually(async () => {
      const seen = await customHostnameOf(id, hostname);
      return seen?.liveAt ? seen : null;
    });
    expect(live).toMatchObject({ status: "active", ssl: { status: "active" }, errors: [] });
    expect((await routeOf(hostname))?.status).toBe("active");

    // A live hostname is answered as it is.
    const again = await checkAgain(id, hostname);
    expect(again.status, again.text).toBe(200);
    expect(again.json).toEqual(live);
  });

  it("goes live at once when the records are already published", async () => {
    const hostname = `ready-${crypto.randomUUID().slice(0, 8)}.example.com`;
    const id = await onboard(hostname);
    // Published between two checks: the request asks now rather than at the next check.
    await publishRecords(await eventually(() => customHostnameOf(id, hostname)));
    const asked = await checkAgain(id, hostname);
    expect(asked.status, asked.text).toBe(200);
    expect(asked.json).toMatchObject({
      hostname,
      status: "active",
      ssl: { status: "active" },
      liveAt: expect.any(String),
    });
    expect((await routeOf(hostname))?.status).toBe("active");
  });

  it("refuses what is not one of the tenant's custom hostnames, and a body that is not {}", async () => {
    const hostname = `mine-${crypto.randomUUID().slice(0, 8)}.example.com`;
    const id = await onboard(hostname);
    expectError(await checkAgain(id, `other-${crypto.randomUUID().slice(0, 8)}.example.com`), 404, "not_found");
    expectError(await checkAgain(id, `${id}.localhost`), 404, "not_found");
    expectError(await checkAgain(uniqueId("none"), hostname), 404, "not_found");
    expectError(await checkAgain(id, "not a hostname"), 400, "invalid_request", "hostname");
    expectError(await checkAgain(id, hostname, { now: true }), 400, "invalid_request");
  });
});

/** A tenant with no script and no resources: active in a moment. */
const bareTenant = (id: string, hostnames: string[] = []) => ({
  id,
  plan: "pro",
  resources: { kv: false, r2: false, d1: false },
  hostnames,
});

/** A custom hostname made on the platform's zone outside the control plane, with `metadata` (none: made by hand). */
async function madeOnZone(hostname: string, metadata?: Record<string, string>): Promise<void> {
  const made = await emulator("POST", zonePath(), {
    hostname,
    ssl: { method: "txt", type: "dv" },
    ...(metadata === undefined ? {} : { custom_metadata: metadata }),
  });
  expect(made.status).toBe(201);
}

/** What the registry holds for a tenant: its hostname claims and its operations (none for a tenant never taken). */
async function registryOf(id: string) {
  const claims = await testEnv.DB.prepare("SELECT hostname, state FROM hostnames WHERE tenant_id = ? ORDER BY hostname")
    .bind(id)
    .all();
  const operations = await testEnv.DB.prepare("SELECT id FROM operations WHERE tenant_id = ?").bind(id).all();
  return { claims: claims.results, operations: operations.results };
}

const fresh = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}.example.com`;

describe("a hostname refused at the request", () => {
  it.each([
    ["made for another tenant", { tenant_id: "someone-else" }],
    ["made by hand (no metadata)", undefined],
  ])("POST with a custom hostname the zone has %s: 409 hostname_taken, nothing recorded", async (_, metadata) => {
    const hostname = fresh("zone");
    await madeOnZone(hostname, metadata);
    const id = uniqueId("ch");
    const error = expectError(await api("POST", "/v1/tenants", bareTenant(id, [hostname])), 409, "hostname_taken");
    expect(error.message).toContain(hostname);
    await expectNothingCreated(id);
    expect(await registryOf(id)).toEqual({ claims: [], operations: [] });
    expect(await routeOf(hostname)).toBeNull();
    // The zone's custom hostname is left as it was.
    expect(await onZone(hostname)).toHaveLength(1);
  });

  /** A tenant's view but for when its pending hostnames were last read, which the checker moves on meanwhile. */
  const unchecked = (view: unknown) => {
    const { customHostnames, ...rest } = view as { customHostnames: { checkedAt: unknown }[] };
    return { ...rest, customHostnames: customHostnames.map(({ checkedAt: _checkedAt, ...hostname }) => hostname) };
  };

  it("PATCH adding a custom hostname the zone has for someone else: 409 hostname_taken, the tenant unchanged", async () => {
    const kept = fresh("kept");
    const taken = fresh("taken");
    await madeOnZone(taken, { tenant_id: "someone-else" });
    const id = uniqueId("ch");
    expect((await api("POST", "/v1/tenants", bareTenant(id, [kept]))).status).toBe(202);
    const before = await settled(id, ["active"]);
    const registered = await registryOf(id);

    const error = expectError(
      await api("PATCH", `/v1/tenants/${id}`, { hostnames: [kept, taken] }),
      409,
      "hostname_taken",
    );
    expect(error.message).toContain(taken);
    expect(error.message).not.toContain(kept);
    expect(unchecked((await api("GET", `/v1/tenants/${id}`)).json)).toEqual(unchecked(before));
    expect(await registryOf(id)).toEqual(registered);
    expect(await routeOf(taken)).toBeNull();
    expect(await onZone(taken)).toHaveLength(1);
  });

  it.each([
    ["a reserved top-level domain (.test)", "shop.test"],
    ["a reserved top-level domain (.example)", "shop.example"],
    ["a reserved top-level domain (.invalid)", "www.shop.invalid"],
    ["a wildcard", "*.shop.example.com"],
  ])(
    "a hostname the Cloudflare API never takes as a custom hostname, %s: 400 on POST and PATCH",
    async (_, hostname) => {
      const id = uniqueId("ch");
      const refused = expectError(
        await api("POST", "/v1/tenants", bareTenant(id, [hostname])),
        400,
        "invalid_request",
        "hostnames.0",
      );
      expect(refused.message).toContain(hostname);
      await expectNothingCreated(id);
      expect(await registryOf(id)).toEqual({ claims: [], operations: [] });

      expect((await api("POST", "/v1/tenants", bareTenant(id))).status).toBe(202);
      const before = await settled(id, ["active"]);
      expectError(
        await api("PATCH", `/v1/tenants/${id}`, { hostnames: [hostname] }),
        400,
        "invalid_request",
        "hostnames.0",
      );
      expect((await api("GET", `/v1/tenants/${id}`)).json).toEqual(before);
    },
  );

  it("takes a custom hostname the zone has for this tenant: a repeated POST, and a PATCH keeping it", async () => {
    const hostname = fresh("own");
    const id = uniqueId("ch");
    const first = await api("POST", "/v1/tenants", bareTenant(id, [hostname]));
    expect(first.status, first.text).toBe(202);
    const active = await settled(id, ["active"]);
    expect(await onZone(hostname)).toHaveLength(1);

    const again = await api("POST", "/v1/tenants", bareTenant(id, [hostname]));
    expect(again.status, again.text).toBe(202);
    expect(again.json.operation?.id).toBe(first.json.operation?.id);
    const added = fresh("added");
    expect((await api("PATCH", `/v1/tenants/${id}`, { hostnames: [hostname, added] })).status).toBe(202);
    const patched = await settled(id, ["active"]);
    expect([...patched.hostnames].sort()).toEqual([...active.hostnames, added].sort());
    expect(await onZone(hostname)).toHaveLength(1);
    expect(await onZone(added)).toHaveLength(1);
  });

  it("a custom hostname made for someone else after the request was taken: the step refuses it, and leaves it alone", async () => {
    const hostname = fresh("race");
    const lookups = { method: "GET", path: "/zones/*/custom_hostnames" };
    // The request's lookup finds nothing; the step's is held a moment, while another makes the hostname.
    await injectFault({ ...lookups, times: 1, action: { kind: "delay", ms: 0 } });
    const held = await injectFault({ ...lookups, times: 1, action: { kind: "delay", ms: 1000 } });
    const id = uniqueId("ch");
    const created = await api("POST", "/v1/tenants", bareTenant(id, [hostname]));
    expect(created.status, created.text).toBe(202);
    await madeOnZone(hostname, { tenant_id: "someone-else" });
    const tenant = await settled(id, ["active", "failed"]);
    expect((await faultNow(held.id)).hits).toBe(1);
    expect(tenant.state).toBe("failed");
    expect(tenant.lastError?.code).toBe("hostname_taken");
    expect(tenant.lastError?.message).toContain(hostname);
    const [theirs] = (await emulator("GET", `${zonePath()}?hostname=${hostname}`)).json.result as {
      custom_metadata?: Record<string, string>;
    }[];
    expect(theirs?.custom_metadata).toEqual({ tenant_id: "someone-else" });
    expect(await routeOf(hostname)).toBeNull();
  });

  it("the zone cannot be asked at the request: the request is taken, and the step creates the custom hostname", async () => {
    const hostname = fresh("unasked");
    // Every attempt of the request's lookup fails (the client's retries included); the step's own lookup goes through.
    const down = await injectFault({
      method: "GET",
      path: "/zones/*/custom_hostnames",
      times: DEFAULT_RETRY_POLICY.attempts,
      action: { kind: "fail", status: 503, code: 10000, message: "Injected: unavailable" },
    });
    const id = uniqueId("ch");
    const created = await api("POST", "/v1/tenants", bareTenant(id, [hostname]));
    expect(created.status, created.text).toBe(202);
    expect((await faultNow(down.id)).hits).toBe(DEFAULT_RETRY_POLICY.attempts);
    const tenant = await settled(id, ["active", "failed"]);
    expect(tenant.state, JSON.stringify(tenant.lastError)).toBe("active");
    expect(tenant.customHostnames.map((view) => view.hostname)).toEqual([hostname]);
    expect(await onZone(hostname)).toHaveLength(1);
  });
});
