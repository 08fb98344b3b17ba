import { runInDurableObject } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { ScriptSource } from "../../../platform/tenants-api";
import { expectError } from "./api-support";
import { rolloutReaches, startRollout } from "./rollout-support";
import {
  api,
  clearFaults,
  emulator,
  ensureNamespace,
  faultNow,
  injectFault,
  NOTES_APP,
  newTenant,
  settled,
  testEnv,
  uniqueId,
  visit,
} from "./support";

/**
 * How many Cloudflare API calls the control plane spends, counted by the
 * emulator (`/__emulator/calls`: every call it received, whoever sent it), so
 * each test runs alone: nothing else in this file calls the API meanwhile.
 * The budget: 6 per onboarding with KV, R2, D1, one migration and a
 * script (5 when the same code was accepted lately: no check upload); 1 per
 * tenant in a rollout of code.
 */

beforeAll(ensureNamespace);
afterEach(clearFaults);

const SCRIPTS = "/accounts/*/workers/dispatch/namespaces/*/scripts";

/** Starts the emulator's count afresh. */
async function resetCalls(): Promise<void> {
  expect((await emulator("DELETE", "/__emulator/calls")).status).toBe(200);
}

/** The calls the emulator received since the last reset. */
async function callsSinceReset(): Promise<number> {
  const { status, json } = await emulator("GET", "/__emulator/calls");
  expect(status).toBe(200);
  return (json.result as { calls: number }).calls;
}

/**
 * Counts the calls matching each route (a `delay` of 0 lets every one through
 * and counts it as a hit): which step spent what.
 */
async function countPerRoute(routes: Record<string, { method: string; path: string }>) {
  const rules = Object.fromEntries(
    await Promise.all(
      Object.entries(routes).map(async ([name, route]) => {
        const rule = await injectFault({ ...route, times: 1000, action: { kind: "delay", ms: 0 } });
        return [name, rule.id] as const;
      }),
    ),
  );
  return async (): Promise<Record<string, number>> =>
    Object.fromEntries(
      await Promise.all(Object.entries(rules).map(async ([name, id]) => [name, (await faultNow(id)).hits] as const)),
    );
}

/** NOTES_APP with another greeting, and (optionally) migrations beside its first. */
function notesApp(version: string, migrations: Record<string, string> = {}): ScriptSource {
  return {
    ...NOTES_APP,
    modules: { ...NOTES_APP.modules, "lib/greet.js": `export const greet = (word) => word + " from ${version}";` },
    migrations: { ...NOTES_APP.migrations, ...migrations },
  };
}

/** The migrations the tenant's database has recorded, through the emulator's API. */
async function appliedMigrations(id: string): Promise<string[]> {
  const tenant = (await api("GET", `/v1/tenants/${id}`)).json;
  const { json } = await emulator(
    "POST",
    `/client/v4/accounts/${testEnv.CLOUDFLARE_ACCOUNT_ID}/d1/database/${tenant.resources.d1?.id}/query`,
    { sql: "SELECT name FROM d1_migrations ORDER BY name" },
  );
  const [result] = json.result as { results: { name: string }[] }[];
  return (result?.results ?? []).map((row) => row.name);
}

async function onboard(id: string): Promise<void> {
  const created = await api("POST", "/v1/tenants", newTenant(id));
  expect(created.status, created.text).toBe(202);
  expect((await settled(id, ["active", "failed"])).state).toBe("active");
}

describe("API calls per onboarding", () => {
  it("a tenant with KV, R2, D1, one migration and a script: 6 calls, each step's own", async () => {
    const id = uniqueId("calls");
    const perRoute = await countPerRoute({
      script: { method: "PUT", path: `${SCRIPTS}/${id}` },
      kv: { method: "POST", path: "/accounts/*/storage/kv/namespaces" },
      kvList: { method: "GET", path: "/accounts/*/storage/kv/namespaces" },
      r2: { method: "POST", path: "/accounts/*/r2/buckets" },
      r2Get: { method: "GET", path: "/accounts/*/r2/buckets/*" },
      d1: { method: "POST", path: "/accounts/*/d1/database" },
      d1List: { method: "GET", path: "/accounts/*/d1/database" },
      query: { method: "POST", path: "/accounts/*/d1/database/*/query" },
    });
    await resetCalls();
    await onboard(id);
    const calls = await callsSinceReset();

    // The check upload and the bound one; one create each, no lookup; the migration in one batch.
    expect(await perRoute()).toEqual({ script: 2, kv: 1, kvList: 0, r2: 1, r2Get: 0, d1: 1, d1List: 0, query: 1 });
    expect(calls).toBe(6);
    expect(await appliedMigrations(id)).toEqual(["0001_notes.sql"]);
    expect(await (await visit(id, "/d1")).text()).toBe("d1-ok");
  });

  it("a script the API refuses: the 422 after one call (the check), nothing created; checked again every time", async () => {
    const script: ScriptSource = { mainModule: "index.js", modules: { "index.js": "export default { fetch( {" } };
    for (const attempt of [1, 2]) {
      const id = uniqueId(`calls-refused-${attempt}`);
      await resetCalls();
      expectError(await api("POST", "/v1/tenants", newTenant(id, { script })), 422, "script_rejected");
      expect(await callsSinceReset()).toBe(1);
      expect((await api("GET", `/v1/tenants/${id}`)).status).toBe(404);
    }
  });

  it("code the API accepted lately: 5 calls, the check spared; the same modules at another date: checked", async () => {
    // Code of its own, so no other test's onboarding has had it accepted.
    const script = notesApp(uniqueId("accepted"));
    const [first, second, otherDate] = ["a", "b", "c"].map((suffix) => uniqueId(`calls-accepted-${suffix}`));
    const onboardCounted = async (id: string, code: ScriptSource) => {
      const uploads = await countPerRoute({ script: { method: "PUT", path: `${SCRIPTS}/${id}` } });
      await resetCalls();
      const created = await api("POST", "/v1/tenants", newTenant(id, { script: code }));
      expect(created.status, created.text).toBe(202);
      expect((await settled(id, ["active", "failed"])).state).toBe("active");
      return { calls: await callsSinceReset(), uploads: (await uploads()).script };
    };

    expect(await onboardCounted(first as string, script)).toEqual({ calls: 6, uploads: 2 });
    // The bound upload only: the check's answer for these bytes is known.
    expect(await onboardCounted(second as string, script)).toEqual({ calls: 5, uploads: 1 });
    expect(await (await visit(second as string, "/d1")).text()).toBe("d1-ok");
    // Another compatibility date is another check: the runtime the code starts in differs.
    expect(await onboardCounted(otherDate as string, { ...script, compatibilityDate: "2025-06-01" })).toEqual({
      calls: 6,
      uploads: 2,
    });
  });
});

describe("API calls per tenant in a rollout", () => {
  it("code alone: 1 call per tenant (the upload); a new migration: 2 (its batch, then the upload)", async () => {
    const prefix = uniqueId("calls-fleet");
    const ids = [`${prefix}-0`, `${prefix}-1`, `${prefix}-2`];
    for (const id of ids) await onboard(id);

    await resetCalls();
    const codeOnly = await startRollout({ script: notesApp("v2"), filter: { tenants: ids }, canary: { tenants: 0 } });
    expect(await rolloutReaches(codeOnly.id)).toMatchObject({ state: "completed", succeeded: 3 });
    expect(await callsSinceReset()).toBe(ids.length);
    for (const id of ids) {
      expect(await (await visit(id, "/")).text()).toBe("hi from v2");
      // The bindings and the database kept: the notes table the onboarding's migration made is there.
      expect(await (await visit(id, "/d1")).text()).toBe("d1-ok");
    }

    await resetCalls();
    const migrating = await startRollout({
      script: notesApp("v3", { "0002_tags.sql": "CREATE TABLE tags (name TEXT PRIMARY KEY);" }),
      filter: { tenants: ids },
      canary: { tenants: 0 },
    });
    expect(await rolloutReaches(migrating.id)).toMatchObject({ state: "completed", succeeded: 3 });
    expect(await callsSinceReset()).toBe(2 * ids.length);
    for (const id of ids) expect(await appliedMigrations(id)).toEqual(["0001_notes.sql", "0002_tags.sql"]);
  });

  it("a tenant whose object has no record of its migrations: the database is asked, nothing applied twice", async () => {
    const id = uniqueId("calls-careful");
    await onboard(id);
    // As for a tenant onboarded before the record was kept: the object knows of no migration.
    const stub = testEnv.TENANT_OPERATIONS.get(testEnv.TENANT_OPERATIONS.idFromName(id));
    await runInDurableObject(stub, async (_instance, state) => {
      expect(await state.storage.delete("d1-migrations")).toBe(true);
    });

    await resetCalls();
    const put = await api(
      "PUT",
      `/v1/tenants/${id}/script`,
      notesApp("v2", { "0002_tags.sql": "CREATE TABLE tags (name TEXT);" }),
    );
    expect(put.status, put.text).toBe(202);
    expect((await settled(id, ["active", "failed"])).state).toBe("active");
    // The one-batch attempt breaks on 0001's record and is undone; the database's list is read; 0002 is
    // applied; the upload.
    expect(await callsSinceReset()).toBe(4);
    expect(await appliedMigrations(id)).toEqual(["0001_notes.sql", "0002_tags.sql"]);

    // Recorded again: the next deploy of the same migrations asks nothing.
    await resetCalls();
    const again = await api(
      "PUT",
      `/v1/tenants/${id}/script`,
      notesApp("v3", { "0002_tags.sql": "CREATE TABLE tags (name TEXT);" }),
    );
    expect(again.status, again.text).toBe(202);
    expect((await settled(id, ["active", "failed"])).state).toBe("active");
    expect(await callsSinceReset()).toBe(1);
    expect(await (await visit(id, "/")).text()).toBe("hi from v3");
  });
});
