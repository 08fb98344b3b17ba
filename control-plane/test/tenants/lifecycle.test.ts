import { beforeAll, describe, expect, it } from "vitest";
import type { ScriptSource } from "../../../platform/tenants-api";
import { makeLive } from "./custom-hostname-support";
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
    const id = await onboard("hosts", { hostnames: [`old.${id0()}.example.com`] });
    const tenant0 = (await api("GET", `/v1/tenants/${id}`)).json;
    const oldHost = tenant0.hostnames[1] as string;
    const newHost = `shop-${id}.example.com`;
    const patched = await api("PATCH", `/v1/tenants/${id}`, { hostnames: [newHost] });
    expect(patched.status, patched.text).toBe(202);
    const tenant = await settled(id, ["active"]);
    expect(tenant.hostnames).toEqual([`${id}.localhost`, newHost]);
    // A tenant's own domain is served once Cloudflare for SaaS has validated it.
    await makeLive(id, newHost);
    // The dispatcher's cache may hold the pending route a few seconds.
    expect(
      await soon(async () => (await testEnv.DISPATCHER_HTTP.fetch(`http://${newHost}/`)).text(), "hi from v1"),
    ).toBe("hi from v1");
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
    const log = await recordOperationWrites();
    try {
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
      expect(tenant.vars).toEqual({ GREETING: "howdy" });
      expect(tenant.secrets).toEqual(["API_KEY"]);
      await expectResourcesMatchRegistry(tenant);

      // No two operations of the tenant ever ran at once: in the registry's own order of writes, each
      // operation's every write (running, its steps, its end) comes after the previous operation's end,
      // and they ran in the order they were recorded.
      const { results: operations } = await testEnv.DB.prepare(
        "SELECT id, kind, input FROM operations WHERE tenant_id = ? ORDER BY created_at, rowid",
      )
        .bind(id)
        .all<{ id: string; kind: string; input: string }>();
      // The five requests came at once, so the order they were recorded in is the runtime's; the tenant
      // ends with the plan of whichever PATCH of the plan was recorded last.
      expect(operations[0]?.kind).toBe("provision");
      expect(
        operations
          .slice(1)
          .map((operation) => operation.kind)
          .sort(),
      ).toEqual(["deploy", "put_secret", "update", "update", "update"]);
      const plans = operations
        .filter((operation) => operation.kind === "update")
        .map((operation) => (JSON.parse(operation.input) as { plan?: string }).plan)
        .filter((plan) => plan !== undefined);
      expect([...plans].sort()).toEqual(["enterprise", "free"]);
      expect(tenant.plan).toBe(plans.at(-1));
      const writes = await log.writes(operations.map((operation) => operation.id));
      const spans = operations.map(({ id: operationId }) => {
        const own = writes.filter((write) => write.operation_id === operationId);
        return {
          events: own.map((write) => write.event),
          first: Math.min(...own.map((write) => write.seq)),
          last: Math.max(...own.map((write) => write.seq)),
        };
      });
      const trace = JSON.stringify(
        writes.map((write) => `${write.seq} ${write.operation_id.slice(0, 8)} ${write.event}`),
      );
      for (const span of spans) {
        // A provisioning whose code the API accepted lately (the file's other tenants have the same)
        // has its check recorded done with it, before it runs.
        const settledFirst = ["step check_script running", "step check_script succeeded"];
        const ran = settledFirst.every((event, i) => span.events[i] === event) ? span.events.slice(2) : span.events;
        // It ran: it started, ran at least one step, and ended, its end being its last write.
        expect(ran[0], trace).toBe("operation running");
        expect(
          span.events.some((event) => event.startsWith("step ")),
          trace,
        ).toBe(true);
        expect(span.events.at(-1), trace).toBe("operation succeeded");
      }
      for (let i = 1; i < spans.length; i++) {
        expect((spans[i] as { first: number }).first, trace).toBeGreaterThan((spans[i - 1] as { last: number }).last);
      }
      expect(await soon(async () => (await visit(id, "/")).text(), "howdy from v2")).toBe("howdy from v2");
    } finally {
      await log.stop();
    }
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

/**
 * Every write the registry takes to an operation's state or to its steps, in
 * the order the registry made them (a sequence number, not a clock), kept by
 * triggers the test adds: what the control plane itself records keeps only
 * each step's last update time, which cannot tell when an operation started.
 */
async function recordOperationWrites() {
  const db = testEnv.DB;
  const insert = (operationId: string, event: string) =>
    `INSERT INTO test_operation_writes (operation_id, event) VALUES (${operationId}, ${event});`;
  await db.batch([
    db.prepare(
      "CREATE TABLE IF NOT EXISTS test_operation_writes (seq INTEGER PRIMARY KEY AUTOINCREMENT, operation_id TEXT NOT NULL, event TEXT NOT NULL)",
    ),
    db.prepare(
      `CREATE TRIGGER test_step_inserted AFTER INSERT ON operation_steps BEGIN ${insert("NEW.operation_id", "'step ' || NEW.name || ' ' || NEW.state")} END`,
    ),
    db.prepare(
      `CREATE TRIGGER test_step_updated AFTER UPDATE ON operation_steps BEGIN ${insert("NEW.operation_id", "'step ' || NEW.name || ' ' || NEW.state")} END`,
    ),
    db.prepare(
      `CREATE TRIGGER test_operation_state AFTER UPDATE OF state ON operations WHEN NEW.state IS NOT OLD.state BEGIN ${insert("NEW.id", "'operation ' || NEW.state")} END`,
    ),
  ]);
  return {
    async writes(operationIds: string[]) {
      const { results } = await db
        .prepare(
          `SELECT seq, operation_id, event FROM test_operation_writes WHERE operation_id IN (${operationIds.map(() => "?").join(",")}) ORDER BY seq`,
        )
        .bind(...operationIds)
        .all<{ seq: number; operation_id: string; event: string }>();
      return results;
    },
    async stop() {
      await db.batch(
        ["test_step_inserted", "test_step_updated", "test_operation_state"].map((name) =>
          db.prepare(`DROP TRIGGER IF EXISTS ${name}`),
        ),
      );
    },
  };
}
