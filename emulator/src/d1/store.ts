import { DurableObject } from "cloudflare:workers";
import type { D1QueryMeta, D1Rows, D1Value } from "../../../cloudflare-api/resources";
import { emulatorConfig } from "../config";
import type { Env } from "../env";

/** One statement and the values bound to its `?` placeholders. */
export type D1Statement = { sql: string; params: unknown[] };
/** "objects" is `/query` and `.all()`; "raw" is `/raw` and `.raw()`. */
export type D1Format = "objects" | "raw";

export type D1StatementResult = {
  results: Record<string, D1Value>[] | D1Rows;
  success: true;
  meta: D1QueryMeta;
};

/**
 * The outcome of a run. A failure names the statement that failed and carries
 * SQLite's own message (`no such table: x: SQLITE_ERROR`), as D1 reports it.
 */
export type D1RunOutcome =
  | { ok: true; results: D1StatementResult[] }
  | { ok: false; error: string; statementIndex: number };

/** A run for a tenant binding; a successful one carries the bookmark of the state it left. */
export type D1BindingOutcome =
  | { ok: true; results: D1StatementResult[]; bookmark: string }
  | { ok: false; error: string; statementIndex: number };

export type D1DatabaseStats = { fileSize: number; numTables: number };

const SERVED_BY = "wfp-emulator";

/** D1's answer to a statement past its time limit, word for word (the binding prefixes `D1_ERROR: `). */
export const D1_TIME_LIMIT_ERROR = "D1 DB exceeded its CPU time limit and was reset.";

/** Tables that are the storage engine's, not the tenant's. */
// miniflare adds `__miniflare_do_name` to Durable Object storage under `wrangler dev`; it is not the tenant's.
const INTERNAL_TABLE =
  "name LIKE 'sqlite\\_%' ESCAPE '\\' OR name LIKE '\\_cf\\_%' ESCAPE '\\' OR name LIKE '\\_\\_miniflare\\_%' ESCAPE '\\'";

class StatementError extends Error {
  constructor(
    readonly statementIndex: number,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

/** D1 binds booleans as integers and everything else as SQLite takes it. */
function bindable(value: unknown): SqlStorageValue {
  if (typeof value === "boolean") return value ? 1 : 0;
  if (value === undefined) return null;
  return value as SqlStorageValue;
}

/** BLOBs leave D1 as arrays of byte values. */
function jsonValue(value: SqlStorageValue): D1Value {
  return value instanceof ArrayBuffer ? [...new Uint8Array(value)] : value;
}

/**
 * One D1 database: its own SQLite file, in a Durable Object of its own. The
 * REST API's query endpoints and, later, tenant Workers' D1 bindings run on
 * the same object, so both see the same data.
 */
export class D1DatabaseObject extends DurableObject<Env> {
  /**
   * Runs statements in order. Atomic runs (the REST endpoints and binding
   * batches) are one transaction: a failing statement undoes the ones before
   * it. Otherwise (a binding's `exec`) statements before the failure stay.
   */
  run(statements: D1Statement[], format: D1Format, atomic: boolean): D1RunOutcome {
    const runAll = () => statements.map((statement, index) => this.runOne(statement, format, index));
    try {
      const results = atomic ? this.ctx.storage.transactionSync(runAll) : runAll();
      return { ok: true, results };
    } catch (error) {
      if (error instanceof StatementError)
        return { ok: false, error: error.message, statementIndex: error.statementIndex };
      throw error;
    }
  }

  /**
   * A tenant binding's call: atomic like every call of D1's binding, and
   * answered with the bookmark of the state it leaves (D1's session commit
   * token), which the binding's sessions send back with their next query.
   */
  async runForBinding(statements: D1Statement[], format: D1Format): Promise<D1BindingOutcome> {
    const outcome = this.run(statements, format, true);
    if (!outcome.ok) return outcome;
    return { ...outcome, bookmark: await this.ctx.storage.getCurrentBookmark() };
  }

  /** Size in bytes and the number of the tenant's tables. */
  stats(): D1DatabaseStats {
    const sql = this.ctx.storage.sql;
    const numTables = sql
      .exec<{ n: number }>(`SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND NOT (${INTERNAL_TABLE})`)
      .one().n;
    return { fileSize: sql.databaseSize, numTables };
  }

  /** Drops every table and row: what deleting the database leaves of it. */
  async destroy(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }

  private runOne(statement: D1Statement, format: D1Format, index: number): D1StatementResult {
    const sql = this.ctx.storage.sql;
    const started = performance.now();
    const sizeBefore = sql.databaseSize;
    const before = this.changeCounters();
    let cursor: SqlStorageCursor<Record<string, SqlStorageValue>>;
    const rows: D1Value[][] = [];
    // SQLite runs on this object's thread, which the REST API and every tenant share: a statement
    // that never ends would hold all of them. It is checked between rows, the only points where
    // JavaScript regains control (a statement that runs long before its first row cannot be
    // stopped; see README, "Where it differs").
    const deadline = started + emulatorConfig(this.env).D1_QUERY_LIMIT_MS;
    try {
      cursor = sql.exec(statement.sql, ...statement.params.map(bindable));
      for (const row of cursor.raw()) {
        if (performance.now() > deadline) throw new Error(D1_TIME_LIMIT_ERROR);
        rows.push(row.map(jsonValue));
      }
    } catch (error) {
      throw new StatementError(index, error);
    }
    const columns = cursor.columnNames;
    const after = this.changeCounters();
    const sizeAfter = sql.databaseSize;
    const duration = performance.now() - started;
    const changes = after.totalChanges - before.totalChanges;
    return {
      results:
        format === "raw"
          ? { columns, rows }
          : rows.map((row) => Object.fromEntries(columns.map((column, i) => [column, row[i] ?? null]))),
      success: true,
      meta: {
        served_by: SERVED_BY,
        served_by_primary: true,
        timings: { sql_duration_ms: duration },
        duration,
        changes,
        last_row_id: after.lastRowId,
        changed_db: changes > 0 || sizeAfter !== sizeBefore || after.lastRowId !== before.lastRowId,
        size_after: sizeAfter,
        rows_read: cursor.rowsRead,
        rows_written: cursor.rowsWritten,
      },
    };
  }

  private changeCounters(): { totalChanges: number; lastRowId: number } {
    return this.ctx.storage.sql
      .exec<{ totalChanges: number; lastRowId: number }>(
        "SELECT total_changes() AS totalChanges, last_insert_rowid() AS lastRowId",
      )
      .one();
  }
}

/** The object holding one D1 database's SQLite file. Only call it for a database the registry knows. */
export const d1DatabaseOf = (env: Env, uuid: string) => env.D1_DATABASES.get(env.D1_DATABASES.idFromName(uuid));
