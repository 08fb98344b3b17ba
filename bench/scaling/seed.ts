/**
 * Seeding: copies of what a real onboarding wrote, so that the platform can
 * be measured at sizes whose onboarding through the API would take longer
 * than the bench may run. The template is a tenant onboarded through POST
 * /v1/tenants; its registry rows (every table's rows naming the tenant or its
 * operations) and its route are read from the local stores, and each copy
 * has the tenant id replaced, and each operation id a new one. The copies go
 * in through wrangler's own local commands (`d1 execute`, `kv bulk put`)
 * before the Workers start, never into a running Worker's files.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { writeFileSync } from "node:fs";
import path from "node:path";
import type { SQLOutputValue } from "node:sqlite";
import { promisify } from "node:util";
import { routeKey, tenantHostname } from "../../platform/routes.ts";
import { CONTROL_PLANE, DISPATCHER, type PlatformWorker } from "../../scripts/lib/platform.ts";
import { offlineWranglerEnv, REPO_ROOT, WRANGLER_BIN } from "../../scripts/lib/wrangler-dev.ts";
import { kvBlob, type Row, registryRowsOf, routeBlobId } from "./local-stores.ts";

const run = promisify(execFile);
const PLATFORM_DOMAIN = "localhost";
/** Rows per INSERT statement: one statement per table and this many tenants keeps the file short. */
const ROWS_PER_INSERT = 200;

export type Template = {
  id: string;
  /** Each registry table's rows naming the tenant (or, for tables without a tenant column, its operations). */
  rows: { table: string; rows: Row[] }[];
  /** The route stored under the tenant's hostname. */
  route: string;
};

/** Reads the template tenant's rows and route from a platform's state (its Workers running or not). */
export function captureTemplate(stateDir: (label: PlatformWorker["label"]) => string, id: string): Template {
  const rows = registryRowsOf(stateDir(CONTROL_PLANE.label), id);
  const blobId = routeBlobId(stateDir(DISPATCHER.label), routeKey(tenantHostname(id, PLATFORM_DOMAIN)));
  if (blobId === null) throw new Error(`the template tenant ${id} has no route`);
  return { id, rows, route: kvBlob(stateDir(DISPATCHER.label), blobId) };
}

function literal(value: SQLOutputValue): string {
  if (value === null) return "NULL";
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value === "string") return `'${value.replaceAll("'", "''")}'`;
  throw new Error("a template row holds a blob: not copied");
}

/** Every operation id among the template's rows: each copy gets new ones. */
function operationIds(template: Template): string[] {
  const operations = template.rows.find((t) => t.table === "operations")?.rows ?? [];
  return operations.map((row) => String(row.id));
}

/** A copy of a template's text for tenant `id`: the template's id replaced, and its operation ids. */
function substitute(template: Template, id: string, operations: Map<string, string>): (text: string) => string {
  return (text) => {
    let out = text.replaceAll(template.id, id);
    for (const [from, to] of operations) out = out.replaceAll(from, to);
    return out;
  };
}

/** The SQL inserting a copy of the template's rows for each of `ids`. */
export function cloneSql(template: Template, ids: readonly string[]): string {
  const statements: string[] = [];
  const copies = ids.map((id) => {
    const operations = new Map(operationIds(template).map((op) => [op, randomUUID()]));
    return substitute(template, id, operations);
  });
  for (const { table, rows } of template.rows) {
    if (rows.length === 0) continue;
    const columns = Object.keys(rows[0] as Row);
    const tuples = copies.flatMap((copy) =>
      rows.map((row) => {
        const values = columns.map((c) => row[c] as SQLOutputValue);
        return `(${values.map((v) => literal(typeof v === "string" ? copy(v) : v)).join(", ")})`;
      }),
    );
    for (let i = 0; i < tuples.length; i += ROWS_PER_INSERT) {
      const names = columns.map((c) => `"${c}"`).join(", ");
      statements.push(`INSERT INTO "${table}" (${names}) VALUES\n${tuples.slice(i, i + ROWS_PER_INSERT).join(",\n")};`);
    }
  }
  return `${statements.join("\n")}\n`;
}

async function wrangler(args: string[]): Promise<void> {
  try {
    await run(process.execPath, [WRANGLER_BIN, ...args], {
      cwd: REPO_ROOT,
      env: offlineWranglerEnv({ CI: "1" }),
      maxBuffer: 64 * 2 ** 20,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`wrangler ${args.slice(0, 3).join(" ")}: ${(stderr || stdout || String(error)).slice(-2000)}`);
  }
}

/** Writes copies of the template for `ids` into the registry and the routing table of a platform not started yet. */
export async function seedCopies(
  stateDir: (label: PlatformWorker["label"]) => string,
  template: Template,
  ids: readonly string[],
): Promise<void> {
  if (ids.length === 0) return;
  const sqlFile = path.join(stateDir(CONTROL_PLANE.label), "..", "seed.sql");
  writeFileSync(sqlFile, cloneSql(template, ids));
  await wrangler([
    "d1",
    "execute",
    "DB",
    "--local",
    "--config",
    CONTROL_PLANE.configPath,
    "--persist-to",
    stateDir(CONTROL_PLANE.label),
    "--file",
    sqlFile,
    "--yes",
  ]);
  const routesFile = path.join(stateDir(DISPATCHER.label), "..", "routes.json");
  const routes = ids.map((id) => ({
    key: routeKey(tenantHostname(id, PLATFORM_DOMAIN)),
    value: template.route.replaceAll(template.id, id),
  }));
  writeFileSync(routesFile, JSON.stringify(routes));
  await wrangler([
    "kv",
    "bulk",
    "put",
    routesFile,
    "--binding",
    "ROUTES",
    "--local",
    "--config",
    DISPATCHER.configPath,
    "--persist-to",
    stateDir(DISPATCHER.label),
  ]);
}

/** What each copy holds, as the report states it: `tenants` 1, `operations` 1, … */
export const templateRows = (template: Template): string =>
  template.rows
    .filter((t) => t.rows.length > 0)
    .map((t) => `\`${t.table}\` ${t.rows.length}`)
    .join(", ");
