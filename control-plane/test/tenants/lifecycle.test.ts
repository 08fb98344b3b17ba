import { beforeAll, describe, expect, it } from "vitest";
import type { ScriptSource } from "../../../platform/tenants-api";
import {
  api,
  ensureNamespace,
  expectResourcesMatchRegistry,
  NOTES_APP,
  newTenant,
  settled,
  testEnv,
  uniqueId,
  visit,
} from "./support";

beforeAll(ensureNamespace);

const V2: ScriptSource = {
  ...NOTES_APP,
  modules: { ...NOTES_APP.modules, "lib/greet.js": `export const greet = (word) => word + " from v2";` },
  migrations: {
    ...NOTES_APP.migrations,
    "0002_tags.sql": "ALTER TABLE notes ADD COLUMN tag TEXT NOT NULL DEFAULT 'none';",
  },
};

async function onboard(prefix: string, overrides = {}) {
  const id = uniqueId(prefix);
  const created = await api("POST", "/v1/tenants", newTenant(id, overrides));
  expect(created.status, created.text).toBe(202);
  expect((await settled(id, ["active", "failed"])).state).toBe("active");
  return id;
}

describe("changing a tenant", () => {
  it("PUT script: new code is served with its bindings, vars and secrets kept, and new migrations applied", async () => {
    const id = await onboard("deploy");
    expect((await api("PUT", `/v1/tenants/${id}/secrets/API_KEY`, { value: "s3cret-value" })).status).toBe(202);
    await settled(id, ["active"]);
    const before = (await api("GET", `/v1/tenants/${id}`)).json;

    const deployed = await api("PUT", `/v1/tenants/${id}/script`, V2);
    expect(deployed.status, deployed.text).toBe(202);
    const after = await settled(id, ["active", "failed"]);
    expect(after.state).toBe("active");
    expect(after.script?.etag).not.toBe(before.script?.etag);
    expect(after.resources).toEqual(before.resources);

    expect(await (await visit(id, "/")).text()).toBe("hi from v2");
    expect(await (await visit(id, "/secret")).text()).toBe("secret set");
    expect(await (await visit(id, "/d1")).text()).toBe("d1-ok");
    // 0002 ran once: the column exists (a second run would have failed the deploy).
    const columns = await testEnv.EMULATOR.fetch(
      `http://emulator/client/v4/accounts/${testEnv.CLOUDFLARE_ACCOUNT_ID}/d1/database/${after.resources.d1?.id}/query`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${testEnv.EMULATOR_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ sql: "SELECT name FROM d1_migrations ORDER BY name" }),
      },
    );
    const [result] = ((await columns.json()) as { result: { results: { name: string }[] }[] }).result;
    expect(result?.results.map((row) => row.name)).toEqual(["0001_notes.sql", "0002_tags.sql"]);
  });

  it("PATCH plan and vars: the route carries the new plan, and the script is uploaded again with the new vars", async () => {
    const id = await onboard("patch");
    const patched = await api("PATCH", `/v1/tenants/${id}`, { plan: "enterprise", vars: { GREETING: "hello" } });
    expect(patched.status, patched.text).toBe(202);
    const tenant = await settled(id, ["active", "failed"]);
    expect(tenant.plan).toBe("enterprise");
    expect(tenant.vars).toEqual({ GREETING: "hello" });
    // The dispatcher caches routes for a few seconds: wait for the new greeting.
    expect(await soon(async () => (await visit(id, "/")).text(), "hello from v1")).toBe("hello from v1");
    const tags = await testEnv.EMULATOR.fetch(
      `http://emulator/client/v4/accounts/${testEnv.CLOUDFLARE_ACCOUNT_ID}/workers/dispatch/namespaces/${testEnv.DISPATCH_NAMESPACE}/scripts/${id}/tags`,
      { headers: { authorization: `Bearer ${testEnv.EMULATOR_TOKEN}` } },
    );
    expect(((await tags.json()) as { result: string[] }).result.sort()).toEqual([`plan:enterprise`, `tenant:${id}`]);
  });

  it("PATCH hostnames: a custom hostname is routed, a removed one no longer is", async () => {
    const id = await onboard("hosts", { hostnames: [`old.${id0()}.example`] });
    const tenant0 = (await api("GET", `/v1/tenants/${id}`)).json;
    const oldHost = tenant0.hostnames[1] as string;
    const newHost = `shop-${id}.example`;
    const patched = await api("PATCH", `/v1/tenants/${id}`, { hostnames: [newHost] });
    expect(patched.status, patched.text).toBe(202);
    const tenant = await settled(id, ["active"]);
    expect(tenant.hostnames).toEqual([`${id}.localhost`, newHost]);
    expect(await (await testEnv.DISPATCHER_HTTP.fetch(`http://${newHost}/`)).text()).toBe("hi from v1");
    // Removed: the route is gone (the dispatcher's cache may hold it a few seconds).
    expect(await soon(async () => (await testEnv.DISPATCHER_HTTP.fetch(`http://${oldHost}/`)).status, 404)).toBe(404);
  });

  it("PATCH suspended: the tenant's hostnames answer 403 until it is resumed", async () => {
    const id = await onboard("suspend");
    expect((await api("PATCH", `/v1/tenants/${id}`, { suspended: true })).status).toBe(202);
    expect((await settled(id, ["suspended", "failed"])).state).toBe("suspended");
    await expectStatusSoon(id, 403);
    expect((await api("PATCH", `/v1/tenants/${id}`, { suspended: false })).status).toBe(202);
    expect((await settled(id, ["active", "failed"])).state).toBe("active");
    await expectStatusSoon(id, 200);
  });
});

describe("concurrent requests on one tenant", () => {
  it("run one at a time, in the order they came, and the tenant ends as the last one left it", async () => {
    const id = await onboard("busy");
    const answers = await Promise.all([
      api("PATCH", `/v1/tenants/${id}`, { plan: "free" }),
      api("PUT", `/v1/tenants/${id}/secrets/API_KEY`, { value: "one" }),
      api("PATCH", `/v1/tenants/${id}`, { vars: { GREETING: "howdy" } }),
      api("PUT", `/v1/tenants/${id}/script`, V2),
      api("PATCH", `/v1/tenants/${id}`, { plan: "enterprise" }),
    ]);
    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202, 202, 202]);
    const tenant = await settled(id, ["active", "failed"]);
    expect(tenant.state).toBe("active");
    expect(tenant.plan).toBe("enterprise");
    expect(tenant.vars).toEqual({ GREETING: "howdy" });
    expect(tenant.secrets).toEqual(["API_KEY"]);
    await expectResourcesMatchRegistry(tenant);
    // No two operations of the tenant ever ran at once: each step started after the previous operation's last step ended.
    const { results } = await testEnv.DB.prepare(
      `SELECT o.id, MIN(s.updated_at) AS first, MAX(s.updated_at) AS last, o.created_at FROM operations o
       JOIN operation_steps s ON s.operation_id = o.id WHERE o.tenant_id = ? GROUP BY o.id ORDER BY o.created_at, o.rowid`,
    )
      .bind(id)
      .all<{ first: string; last: string }>();
    expect(results.length).toBe(6);
    for (let i = 1; i < results.length; i++) {
      expect(results[i]?.first.localeCompare(results[i - 1]?.last ?? "")).toBeGreaterThanOrEqual(0);
    }
    expect(await soon(async () => (await visit(id, "/")).text(), "howdy from v2")).toBe("howdy from v2");
  });

  it("the same onboarding sent several times at once makes one tenant", async () => {
    const id = uniqueId("twice");
    const answers = await Promise.all([1, 2, 3].map(() => api("POST", "/v1/tenants", newTenant(id))));
    expect(answers.map((answer) => answer.status)).toEqual([202, 202, 202]);
    const tenant = await settled(id, ["active", "failed"]);
    expect(tenant.state).toBe("active");
    await expectResourcesMatchRegistry(tenant);
  });
});

let counter = 0;
/** A name for a hostname made before the tenant id is known. */
function id0(): string {
  counter += 1;
  return `h${counter}-${crypto.randomUUID().slice(0, 6)}`;
}

async function expectStatusSoon(id: string, status: number): Promise<void> {
  expect(await soon(async () => (await visit(id, "/")).status, status)).toBe(status);
}

/**
 * What `read` gives once it gives `wanted`, or the last thing it gave after
 * 10 s: the dispatcher caches routes for a few seconds, so a change shows
 * there a little after the control plane has made it.
 */
async function soon<T>(read: () => Promise<T>, wanted: T): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const seen = await read();
    if (seen === wanted || Date.now() > deadline) return seen;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
