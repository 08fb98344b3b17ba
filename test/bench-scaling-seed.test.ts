import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import { afterEach, describe, expect, it } from "vitest";
import { registryRowsOf, registrySize } from "../bench/scaling/local-stores.ts";
import { cloneSql, type Template } from "../bench/scaling/seed.ts";

// `npm run bench:scaling` seeds a platform with copies of one real onboarding's registry rows
// (bench/scaling/seed.ts): here against a registry built from the control plane's own migrations.

const MIGRATIONS = path.join(import.meta.dirname, "../control-plane/migrations");
const TEMPLATE = "t000000";
const OPERATION = "0f0e0d0c-0000-4000-8000-000000000001";

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A control plane state folder whose registry is migrated and holds the template tenant, as miniflare lays it out. */
function controlPlaneState(): { state: string; db: DatabaseSync } {
  const state = mkdtempSync(path.join(tmpdir(), "wfp-seed-test-"));
  dirs.push(state);
  const folder = path.join(state, "v3/d1/miniflare-D1DatabaseObject");
  mkdirSync(folder, { recursive: true });
  const db = new DatabaseSync(path.join(folder, "registry.sqlite"));
  for (const file of readdirSync(MIGRATIONS).toSorted()) db.exec(readFileSync(path.join(MIGRATIONS, file), "utf8"));
  const at = "2026-12-07T00:00:00.000Z";
  db.prepare(
    `INSERT INTO tenants (id, plan, state, request_digest, wanted_resources, script_name, compatibility_date,
       vars, created_at, updated_at) VALUES (?, 'free', 'active', 'digest', '{}', ?, '2026-11-01', ?, ?, ?)`,
  ).run(TEMPLATE, TEMPLATE, JSON.stringify({ NOTE: "it's t000000's" }), at, at);
  db.prepare(
    `INSERT INTO operations (id, tenant_id, kind, state, input, created_at, updated_at)
     VALUES (?, ?, 'provision', 'succeeded', ?, ?, ?)`,
  ).run(OPERATION, TEMPLATE, JSON.stringify({ tenantId: TEMPLATE }), at, at);
  for (const step of ["write_routes", "settle"])
    db.prepare("INSERT INTO operation_steps (operation_id, name, state, updated_at) VALUES (?, ?, 'succeeded', ?)").run(
      OPERATION,
      step,
      at,
    );
  // Another tenant's rows are not the template's.
  db.prepare(
    `INSERT INTO tenants (id, plan, state, request_digest, wanted_resources, script_name, compatibility_date,
       created_at, updated_at) VALUES ('other', 'pro', 'active', 'd', '{}', 'other', '2026-11-01', ?, ?)`,
  ).run(at, at);
  return { state, db };
}

function templateOf(state: string): Template {
  return { id: TEMPLATE, rows: registryRowsOf(state, TEMPLATE), route: JSON.stringify({ tenantId: TEMPLATE }) };
}

describe("the scaling bench's seeding", () => {
  it("reads every registry row of the template tenant: its row, its operations, their steps", () => {
    const { state } = controlPlaneState();
    const counts = Object.fromEntries(templateOf(state).rows.map((t) => [t.table, t.rows.length]));
    expect(counts).toMatchObject({ tenants: 1, operations: 1, operation_steps: 2, hostnames: 0, rollout_items: 0 });
  });

  it("writes copies that read back as the template with the id replaced and operations of their own", () => {
    const { state, db } = controlPlaneState();
    const template = templateOf(state);
    db.exec(cloneSql(template, ["t000001", "t000002"]));
    const tenant = db.prepare("SELECT id, script_name, vars FROM tenants WHERE id = 't000002'").get();
    expect(tenant).toEqual({ id: "t000002", script_name: "t000002", vars: JSON.stringify({ NOTE: "it's t000002's" }) });
    const operations = db.prepare("SELECT id, tenant_id, input FROM operations ORDER BY tenant_id").all() as {
      id: string;
      tenant_id: string;
      input: string;
    }[];
    expect(operations.map((o) => o.tenant_id)).toEqual(["t000000", "t000001", "t000002"]);
    expect(new Set(operations.map((o) => o.id)).size).toBe(3);
    expect(operations[2]?.input).toBe(JSON.stringify({ tenantId: "t000002" }));
    for (const operation of operations) {
      const steps = db
        .prepare("SELECT name FROM operation_steps WHERE operation_id = ? ORDER BY name")
        .all(operation.id);
      expect(steps).toEqual([{ name: "settle" }, { name: "write_routes" }]);
    }
    db.close();
    expect(registrySize(state).rows).toMatchObject({ tenants: 4, operations: 3, operation_steps: 6 });
  });

  it("fails on a copy whose id a tenant has already (each size seeds a new registry)", () => {
    const { state, db } = controlPlaneState();
    expect(() => db.exec(cloneSql(templateOf(state), ["other"]))).toThrow(/UNIQUE constraint failed: tenants\.id/);
  });
});
