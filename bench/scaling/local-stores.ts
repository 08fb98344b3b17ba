/**
 * What the platform's local stores hold, read from their SQLite files while
 * the Workers run (read-only connections, opened and closed per reading):
 * the registry's D1 database (its size, its rows per table) and the routing
 * table (the dispatcher's KV keys). Miniflare keeps each D1 database and KV
 * namespace in `<state>/v3/<d1|kv>/<object>/<hash>.sqlite`, beside a
 * `metadata.sqlite` of its own.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { DatabaseSync, type SQLOutputValue } from "node:sqlite";
import { ROUTE_KEY_PREFIX } from "../../platform/routes.ts";

/** The one database file of a miniflare store folder (there is one D1 database, one KV namespace per Worker here). */
function storeFile(stateDir: string, folder: string): string {
  const dir = path.join(stateDir, "v3", folder);
  const files = readdirSync(dir).filter((name) => name.endsWith(".sqlite") && name !== "metadata.sqlite");
  if (files.length !== 1) throw new Error(`${dir}: expected one database file, found ${files.length}`);
  return path.join(dir, files[0] as string);
}

function withDatabase<T>(file: string, read: (db: DatabaseSync) => T): T {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

const count = (db: DatabaseSync, sql: string, ...values: string[]) =>
  Number((db.prepare(sql).get(...values) as { n: number }).n);

/** The registry's own tables (its migrations' record and SQLite's and D1's internal ones left out). */
function registryTables(db: DatabaseSync): string[] {
  const tables = db
    .prepare(
      `SELECT name FROM sqlite_master WHERE type = 'table'
       AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name <> 'd1_migrations'
       ORDER BY name`,
    )
    .all() as { name: string }[];
  return tables.map((t) => t.name);
}

const registryFile = (controlPlaneState: string) => storeFile(controlPlaneState, "d1/miniflare-D1DatabaseObject");

export type Row = Record<string, SQLOutputValue>;

/**
 * Every registry row of one tenant: the `tenants` row, the rows of each table
 * with a `tenant_id` column naming it, and of each table with only an
 * `operation_id` column, those of its operations.
 */
export function registryRowsOf(controlPlaneState: string, id: string): { table: string; rows: Row[] }[] {
  return withDatabase(registryFile(controlPlaneState), (db) => {
    const columnsOf = (table: string) =>
      (db.prepare(`SELECT name FROM pragma_table_info(?)`).all(table) as { name: string }[]).map((c) => c.name);
    const operations = (db.prepare("SELECT id FROM operations WHERE tenant_id = ?").all(id) as { id: string }[]).map(
      (o) => o.id,
    );
    return registryTables(db).map((table) => {
      const columns = columnsOf(table);
      const select = (where: string, ...values: string[]) =>
        db.prepare(`SELECT * FROM "${table}" WHERE ${where}`).all(...values) as Row[];
      if (table === "tenants") return { table, rows: select("id = ?", id) };
      if (columns.includes("tenant_id")) return { table, rows: select("tenant_id = ?", id) };
      if (columns.includes("operation_id"))
        return { table, rows: operations.flatMap((operation) => select("operation_id = ?", operation)) };
      return { table, rows: [] };
    });
  });
}

/** The blob holding a routing table key's value, or null when the key is not there. */
export function routeBlobId(dispatcherState: string, key: string): string | null {
  const file = storeFile(dispatcherState, "kv/miniflare-KVNamespaceObject");
  return withDatabase(file, (db) => {
    const row = db.prepare("SELECT blob_id FROM _mf_entries WHERE key = ?").get(key) as { blob_id: string } | undefined;
    return row?.blob_id ?? null;
  });
}

/** A KV value's bytes, as text: miniflare keeps them in `<state>/v3/kv/<namespace id>/blobs/<blob id>`. */
export function kvBlob(dispatcherState: string, blobId: string): string {
  const kv = path.join(dispatcherState, "v3", "kv");
  const namespaces = readdirSync(kv).filter((name) => name !== "miniflare-KVNamespaceObject");
  if (namespaces.length !== 1) throw new Error(`${kv}: expected one namespace folder, found ${namespaces.length}`);
  return readFileSync(path.join(kv, namespaces[0] as string, "blobs", blobId), "utf8");
}

export type RegistrySize = {
  /** page_count × page_size: what D1 counts against its database size limit. */
  bytes: number;
  /** The file and its write-ahead log on disk. */
  fileBytes: number;
  /** Rows of each of the registry's own tables (its migrations' record and SQLite's and D1's internal ones left out). */
  rows: Record<string, number>;
};

/** The control plane's registry: its D1 size and rows, from the control plane's state folder. */
export function registrySize(controlPlaneState: string): RegistrySize {
  const file = registryFile(controlPlaneState);
  const wal = `${file}-wal`;
  const fileBytes = statSync(file).size + (statSync(wal, { throwIfNoEntry: false })?.size ?? 0);
  return withDatabase(file, (db) => {
    const pages = count(db, "SELECT page_count AS n FROM pragma_page_count()");
    const pageSize = count(db, "SELECT page_size AS n FROM pragma_page_size()");
    const rows = Object.fromEntries(
      registryTables(db).map((name) => [name, count(db, `SELECT COUNT(*) AS n FROM "${name}"`)]),
    );
    return { bytes: pages * pageSize, fileBytes, rows };
  });
}

/** How many routes the routing table holds (keys under ROUTE_KEY_PREFIX), from the dispatcher's state folder. */
export function routeCount(dispatcherState: string): number {
  const file = storeFile(dispatcherState, "kv/miniflare-KVNamespaceObject");
  return withDatabase(file, (db) =>
    count(db, "SELECT COUNT(*) AS n FROM _mf_entries WHERE substr(key, 1, length(?1)) = ?1", ROUTE_KEY_PREFIX),
  );
}
