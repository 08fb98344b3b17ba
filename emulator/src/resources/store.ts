import { DurableObject } from "cloudflare:workers";
import type { AccountId } from "../../../cloudflare-api/names";
import type {
  D1DatabaseSummary,
  D1LocationHint,
  KvNamespace,
  KvNamespaceOrder,
  R2Bucket,
  R2Location,
  R2StorageClass,
  SortDirection,
} from "../../../cloudflare-api/resources";
import type { Env } from "../env";

export type ResourceKind = "kv_namespace" | "r2_bucket" | "d1";
export type ResourceRefs = { kvNamespaceIds: string[]; r2BucketNames: string[]; d1DatabaseIds: string[] };
export type MissingResource = { kind: ResourceKind; id: string };

/** A page of a listing, with the total the listing would have without paging. */
export type Page<T> = { items: T[]; total: number };

export type KvListOptions = { page: number; perPage: number; order: KvNamespaceOrder; direction: SortDirection };
export type R2ListOptions = { startAfter?: string; nameContains?: string; perPage: number; direction: SortDirection };
export type D1ListOptions = { name?: string; page: number; perPage: number };

/** Writes answer with what happened rather than throwing: errors do not keep their class across RPC. */
export type Created<T> = { ok: true; value: T } | { ok: false; reason: "exists" };
export type Renamed = { ok: true } | { ok: false; reason: "not_found" | "exists" };

type KvRow = { id: string; title: string };
type R2Row = { name: string; creation_date: string; location: string; storage_class: string };
type D1Row = { uuid: string; name: string; created_at: string; version: string };

/** D1 has only ever answered "production" for databases created today. */
const D1_VERSION = "production";
/** R2 places a bucket near its creator without a hint; the emulator has one place. */
const R2_DEFAULT_LOCATION: R2Location = "enam";

const kvNamespace = (row: KvRow): KvNamespace => ({ id: row.id, title: row.title, supports_url_encoding: true });
const r2Bucket = (row: R2Row): R2Bucket => ({
  name: row.name,
  creation_date: row.creation_date,
  location: row.location as R2Location,
  storage_class: row.storage_class as R2StorageClass,
});
const d1Database = (row: D1Row): D1DatabaseSummary => ({
  uuid: row.uuid,
  name: row.name,
  created_at: row.created_at,
  version: row.version,
});

/** Lower-case hex without dashes: the shape of a KV namespace id. */
const newKvNamespaceId = () => crypto.randomUUID().replaceAll("-", "");

/** LIKE with the caller's text taken literally. */
const likeContaining = (text: string) => `%${text.replace(/[\\%_]/g, (ch) => `\\${ch}`)}%`;

/**
 * The registry of one account's KV namespaces, R2 buckets and D1 databases
 * (one object per account). It records which resources exist; their data
 * lives in the KV and R2 simulators and in one D1DatabaseObject per database.
 */
export class ResourcesStore extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(`CREATE TABLE IF NOT EXISTS kv_namespaces (
      id TEXT PRIMARY KEY, title TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS r2_buckets (
      name TEXT PRIMARY KEY, creation_date TEXT NOT NULL, location TEXT NOT NULL, storage_class TEXT NOT NULL)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS d1_databases (
      uuid TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, version TEXT NOT NULL,
      primary_location_hint TEXT)`);
  }

  /** The referenced resources this account does not have, in the order given, each once. */
  findMissing(refs: { kvNamespaceIds: string[]; r2BucketNames: string[]; d1DatabaseIds: string[] }): {
    kind: "kv_namespace" | "r2_bucket" | "d1";
    id: string;
  }[] {
    const missing = (kind: ResourceKind, table: string, column: string, ids: string[]): MissingResource[] =>
      [...new Set(ids)]
        .filter((id) => this.sql.exec(`SELECT 1 FROM ${table} WHERE ${column} = ?`, id).toArray().length === 0)
        .map((id) => ({ kind, id }));
    return [
      ...missing("kv_namespace", "kv_namespaces", "id", refs.kvNamespaceIds),
      ...missing("r2_bucket", "r2_buckets", "name", refs.r2BucketNames),
      ...missing("d1", "d1_databases", "uuid", refs.d1DatabaseIds),
    ];
  }

  // Workers KV namespaces.

  createKvNamespace(title: string): Created<KvNamespace> {
    return this.ctx.storage.transactionSync(() => {
      if (this.sql.exec("SELECT 1 FROM kv_namespaces WHERE title = ?", title).toArray().length > 0) {
        return { ok: false, reason: "exists" } as const;
      }
      const row = { id: newKvNamespaceId(), title };
      this.sql.exec("INSERT INTO kv_namespaces VALUES (?, ?, ?)", row.id, row.title, new Date().toISOString());
      return { ok: true, value: kvNamespace(row) } as const;
    });
  }

  listKvNamespaces(options: KvListOptions): Page<KvNamespace> {
    // Both values come from closed enums, so they can be spliced into the SQL.
    const orderBy = `${options.order} ${options.direction === "desc" ? "DESC" : "ASC"}`;
    const items = this.sql
      .exec<KvRow>(
        `SELECT id, title FROM kv_namespaces ORDER BY ${orderBy}, id LIMIT ? OFFSET ?`,
        options.perPage,
        (options.page - 1) * options.perPage,
      )
      .toArray()
      .map(kvNamespace);
    return { items, total: this.count("kv_namespaces") };
  }

  getKvNamespace(id: string): KvNamespace | null {
    const row = this.sql.exec<KvRow>("SELECT id, title FROM kv_namespaces WHERE id = ?", id).toArray()[0];
    return row === undefined ? null : kvNamespace(row);
  }

  renameKvNamespace(id: string, title: string): Renamed {
    return this.ctx.storage.transactionSync((): Renamed => {
      if (this.getKvNamespace(id) === null) return { ok: false, reason: "not_found" };
      const clash = this.sql.exec("SELECT 1 FROM kv_namespaces WHERE title = ? AND id != ?", title, id).toArray();
      if (clash.length > 0) return { ok: false, reason: "exists" };
      this.sql.exec("UPDATE kv_namespaces SET title = ? WHERE id = ?", title, id);
      return { ok: true };
    });
  }

  /** Removes the registry row only; the caller deletes the namespace's keys first. */
  deleteKvNamespace(id: string): boolean {
    return this.deleteWhere("kv_namespaces", "id", id);
  }

  // R2 buckets.

  createR2Bucket(input: { name: string; location?: R2Location; storageClass?: R2StorageClass }): Created<R2Bucket> {
    return this.ctx.storage.transactionSync(() => {
      if (this.getR2Bucket(input.name) !== null) return { ok: false, reason: "exists" } as const;
      const row: R2Row = {
        name: input.name,
        creation_date: new Date().toISOString(),
        location: input.location ?? R2_DEFAULT_LOCATION,
        storage_class: input.storageClass ?? "Standard",
      };
      this.sql.exec(
        "INSERT INTO r2_buckets VALUES (?, ?, ?, ?)",
        row.name,
        row.creation_date,
        row.location,
        row.storage_class,
      );
      return { ok: true, value: r2Bucket(row) } as const;
    });
  }

  /** Names in order, starting after `startAfter` in that order; `total` counts the rest of the listing. */
  listR2Buckets(options: R2ListOptions): Page<R2Bucket> {
    const descending = options.direction === "desc";
    const conditions: string[] = [];
    const bindings: string[] = [];
    if (options.startAfter !== undefined) {
      conditions.push(descending ? "name < ?" : "name > ?");
      bindings.push(options.startAfter);
    }
    if (options.nameContains !== undefined && options.nameContains !== "") {
      conditions.push("name LIKE ? ESCAPE '\\'");
      bindings.push(likeContaining(options.nameContains));
    }
    const where = conditions.length > 0 ? `WHERE ${conditions.join(" AND ")}` : "";
    const items = this.sql
      .exec<R2Row>(
        `SELECT name, creation_date, location, storage_class FROM r2_buckets ${where}
         ORDER BY name ${descending ? "DESC" : "ASC"} LIMIT ?`,
        ...bindings,
        options.perPage,
      )
      .toArray()
      .map(r2Bucket);
    const total = this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM r2_buckets ${where}`, ...bindings).one().n;
    return { items, total };
  }

  getR2Bucket(name: string): R2Bucket | null {
    const row = this.sql
      .exec<R2Row>("SELECT name, creation_date, location, storage_class FROM r2_buckets WHERE name = ?", name)
      .toArray()[0];
    return row === undefined ? null : r2Bucket(row);
  }

  /** Removes the registry row only; the caller checks the bucket is empty first. */
  deleteR2Bucket(name: string): boolean {
    return this.deleteWhere("r2_buckets", "name", name);
  }

  // D1 databases.

  createD1Database(input: { name: string; primaryLocationHint?: D1LocationHint }): Created<D1DatabaseSummary> {
    return this.ctx.storage.transactionSync(() => {
      if (this.sql.exec("SELECT 1 FROM d1_databases WHERE name = ?", input.name).toArray().length > 0) {
        return { ok: false, reason: "exists" } as const;
      }
      const row: D1Row = {
        uuid: crypto.randomUUID(),
        name: input.name,
        created_at: new Date().toISOString(),
        version: D1_VERSION,
      };
      this.sql.exec(
        "INSERT INTO d1_databases VALUES (?, ?, ?, ?, ?)",
        row.uuid,
        row.name,
        row.created_at,
        row.version,
        input.primaryLocationHint ?? null,
      );
      return { ok: true, value: d1Database(row) } as const;
    });
  }

  /** Newest first; `name` narrows to names containing it. */
  listD1Databases(options: D1ListOptions): Page<D1DatabaseSummary> {
    const filtered = options.name !== undefined && options.name !== "";
    const where = filtered ? "WHERE name LIKE ? ESCAPE '\\'" : "";
    const bindings = filtered ? [likeContaining(options.name as string)] : [];
    const items = this.sql
      .exec<D1Row>(
        `SELECT uuid, name, created_at, version FROM d1_databases ${where}
         ORDER BY created_at DESC, rowid DESC LIMIT ? OFFSET ?`,
        ...bindings,
        options.perPage,
        (options.page - 1) * options.perPage,
      )
      .toArray()
      .map(d1Database);
    const total = this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM d1_databases ${where}`, ...bindings).one().n;
    return { items, total };
  }

  getD1Database(uuid: string): D1DatabaseSummary | null {
    const row = this.sql
      .exec<D1Row>("SELECT uuid, name, created_at, version FROM d1_databases WHERE uuid = ?", uuid)
      .toArray()[0];
    return row === undefined ? null : d1Database(row);
  }

  /** Removes the registry row only; the caller empties the database's own object first. */
  deleteD1Database(uuid: string): boolean {
    return this.deleteWhere("d1_databases", "uuid", uuid);
  }

  private deleteWhere(table: string, column: string, value: string): boolean {
    const cursor = this.sql.exec(`DELETE FROM ${table} WHERE ${column} = ?`, value);
    cursor.toArray();
    return cursor.rowsWritten > 0;
  }

  private count(table: string): number {
    return this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`).one().n;
  }
}

/** The registry of one account's KV namespaces, R2 buckets and D1 databases. */
export const resourcesStoreOf = (env: Env, accountId: AccountId) =>
  env.RESOURCES_STORE.get(env.RESOURCES_STORE.idFromName(accountId));
