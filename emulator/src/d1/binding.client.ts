// Shipped into loaded tenant workers: the D1 binding's API on top of the
// TenantD1 stub. It is a port of the runtime's own binding (workerd's
// src/cloudflare/internal/d1-api.ts, on the path without the d1_binding_jsrpc
// flag, the one miniflare serves), less its tracing spans. The runtime's
// binding speaks D1's wire protocol to a fetcher; here the fetcher is the
// stub, and the emulator answers as miniflare's D1 object does: POST /query
// and /execute with a `resultsFormat`, JSON bodies `{sql, params}`, and the
// session bookmark in a header. Keeping the runtime's code, its property
// names and its order of checks is what makes every answer and every error
// message the real binding's.

const D1_SESSION_CONSTRAINT_FIRST_PRIMARY = "first-primary";
const D1_SESSION_CONSTRAINT_FIRST_UNCONSTRAINED = "first-unconstrained";
const D1_SESSION_COMMIT_TOKEN_HTTP_HEADER = "x-cf-d1-session-commit-token";

/** The TenantD1 entrypoint (binding.ts) as the loaded worker holds it. */
interface D1Fetcher {
  fetch(input: string, init?: RequestInit): Promise<Response>;
}
type D1Param = string | number | null | number[];
type ResultsFormat = "ROWS_AND_COLUMNS" | "NONE";
type D1Meta = Record<string, unknown>;
type D1Answer = { success: true; meta: D1Meta; results?: unknown } | { success: false; error: string };
type D1Success = D1Answer & { success: true };
/** One statement's result as D1 sends it. */
type D1Result = { error?: string; meta: D1Meta; results?: unknown };
/** Rows as D1 answers them with `resultsFormat=ROWS_AND_COLUMNS`. */
type RowsAndColumns = { columns: string[]; rows: unknown[][] };

class D1Database {
  // Declared first, as in the runtime: they are the binding's own keys, in this order.
  alwaysPrimarySession: D1DatabaseSessionAlwaysPrimary;
  fetcher: D1Fetcher;

  constructor(fetcher: D1Fetcher) {
    this.fetcher = fetcher;
    this.alwaysPrimarySession = new D1DatabaseSessionAlwaysPrimary(this.fetcher);
  }

  prepare(query: string): D1PreparedStatement {
    return new D1PreparedStatement(this.alwaysPrimarySession, query);
  }

  async batch(statements: D1PreparedStatement[]): Promise<D1Success[]> {
    return this.alwaysPrimarySession.batch(statements);
  }

  async exec(query: string): Promise<{ count: number; duration: number }> {
    return this.alwaysPrimarySession.exec(query);
  }

  withSession(constraintOrBookmark?: string): D1DatabaseSession {
    let bookmarkOrConstraint = constraintOrBookmark?.trim();
    if (bookmarkOrConstraint == null || bookmarkOrConstraint === "") {
      bookmarkOrConstraint = D1_SESSION_CONSTRAINT_FIRST_UNCONSTRAINED;
    }
    return new D1DatabaseSession(this.fetcher, bookmarkOrConstraint);
  }

  /**
   * Needs the d1_binding_jsrpc compatibility flag, which miniflare's D1 does
   * not serve: without it the runtime refuses the call, as here.
   */
  async query(_request: unknown): Promise<never> {
    const message =
      "D1Database.query() requires the d1_binding_jsrpc compatibility flag. Enable d1_binding_jsrpc before calling query().";
    throw new Error(`D1_ERROR: ${message}`);
  }

  /** @deprecated D1 no longer serves dumps: the call fails as it does on D1. */
  async dump(): Promise<ArrayBuffer> {
    return this.alwaysPrimarySession.dump();
  }
}

class D1DatabaseSession {
  // `declare`d, not initialised: own properties in the order the constructor sets them, as in the runtime.
  declare fetcher: D1Fetcher;
  declare bookmarkOrConstraint: string | null;

  /** `bookmarkOrConstraint` null sends no bookmark at all. */
  constructor(fetcher: D1Fetcher, bookmarkOrConstraint: string | null) {
    this.fetcher = fetcher;
    this.bookmarkOrConstraint = null;
    if (bookmarkOrConstraint != null) {
      this.bookmarkOrConstraint = bookmarkOrConstraint.trim();
      if (!this.bookmarkOrConstraint) throw new Error("D1_SESSION_ERROR: invalid bookmark or constraint");
    }
  }

  /**
   * Keeps the newest bookmark seen: queries of one session can run at once
   * and answer in any order.
   */
  _updateBookmark(newBookmark: string): string | null {
    const bookmark = newBookmark.trim();
    if (!bookmark) return this.getBookmark();
    const currentBookmark = this.getBookmark();
    if (currentBookmark === null || currentBookmark.localeCompare(bookmark) < 0) {
      this.bookmarkOrConstraint = bookmark;
    }
    return this.getBookmark();
  }

  prepare(sql: string): D1PreparedStatement {
    return new D1PreparedStatement(this, sql);
  }

  async batch(statements: D1PreparedStatement[]): Promise<D1Success[]> {
    // Only the first answer is checked: D1 fails a batch as a whole.
    const exec = (await this._sendOrThrow(
      "/query",
      statements.map((s) => s.statement),
      statements.map((s) => s.params),
      "ROWS_AND_COLUMNS",
    )) as D1Success[];
    return exec.map(toArrayOfObjects);
  }

  /** The newest bookmark this session received; never the constraint it was opened with. */
  getBookmark(): string | null {
    switch (this.bookmarkOrConstraint) {
      case D1_SESSION_CONSTRAINT_FIRST_UNCONSTRAINED:
      case D1_SESSION_CONSTRAINT_FIRST_PRIMARY:
        return null;
      default:
        return this.bookmarkOrConstraint;
    }
  }

  /** Sends the session's bookmark (or constraint) and keeps the one the answer carries. */
  async _wrappedFetch(input: string, init?: RequestInit): Promise<Response> {
    const headers = new Headers(init?.headers);
    if (this.bookmarkOrConstraint) headers.set(D1_SESSION_COMMIT_TOKEN_HTTP_HEADER, this.bookmarkOrConstraint);
    const request = init ? { ...init, headers } : { headers };
    const response = await this.fetcher.fetch(input, request);
    const newBookmark = response.headers.get(D1_SESSION_COMMIT_TOKEN_HTTP_HEADER);
    if (newBookmark) this._updateBookmark(newBookmark);
    return response;
  }

  async _sendOrThrow(
    endpoint: string,
    query: string | string[],
    params: D1Param[] | D1Param[][],
    resultsFormat: ResultsFormat,
  ): Promise<D1Answer | D1Answer[]> {
    const results = await this._send(endpoint, query, params, resultsFormat);
    const firstResult = firstIfArray(results) as D1Answer;
    if (!firstResult.success) {
      throw new Error(`D1_ERROR: ${firstResult.error}`, { cause: new Error(firstResult.error) });
    }
    return results;
  }

  async _send(
    endpoint: string,
    query: string | string[],
    params: D1Param[] | D1Param[][],
    resultsFormat: ResultsFormat,
  ): Promise<D1Answer | D1Answer[]> {
    const body = JSON.stringify(
      Array.isArray(query) ? query.map((sql, index) => ({ sql, params: params[index] })) : { sql: query, params },
    );
    const url = new URL(endpoint, "http://d1");
    url.searchParams.set("resultsFormat", resultsFormat);
    const response = await this._wrappedFetch(url.href, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
    });
    try {
      const answer = (await toJson(response)) as D1Result | D1Result[];
      return Array.isArray(answer) ? answer.map(mapD1Result) : mapD1Result(answer);
    } catch (error) {
      const e = error as Error & { cause?: Error };
      const message = e.cause?.message || e.message || "Something went wrong";
      throw new Error(`D1_ERROR: ${message}`, { cause: new Error(message) });
    }
  }
}

/** The session behind the binding's own `prepare`, `batch` and `exec`: always the primary, never a bookmark. */
class D1DatabaseSessionAlwaysPrimary extends D1DatabaseSession {
  constructor(fetcher: D1Fetcher) {
    super(fetcher, null);
  }

  override _updateBookmark(_newBookmark: string): string | null {
    return null;
  }

  override getBookmark(): string | null {
    return null;
  }

  /**
   * Each line is one query, without parameters (the runtime splits on
   * newlines only). D1 answers a failure as a whole, so the error always
   * names line 1, whichever line failed: the runtime's message, kept.
   */
  async exec(query: string): Promise<{ count: number; duration: number }> {
    const lines = query.trim().split("\n");
    const execResults = await this._send("/execute", lines, [], "NONE");
    const results = Array.isArray(execResults) ? execResults : [execResults];
    let duration = 0;
    for (const [i, res] of results.entries()) {
      if (!res.success) {
        const message = res.error || "Something went wrong";
        const lineNumber = i + 1;
        const line = lines[lineNumber - 1];
        const legacyMessage = `Error in line ${lineNumber}: ${line}: ${message}`;
        throw new Error(`D1_EXEC_ERROR: ${legacyMessage}`, { cause: new Error(legacyMessage) });
      }
      duration += res.meta.duration as number;
    }
    return { count: results.length, duration };
  }

  async dump(): Promise<ArrayBuffer> {
    const response = await this._wrappedFetch("http://d1/dump", {
      method: "POST",
      headers: { "content-type": "application/json" },
    });
    if (response.status !== 200) {
      try {
        const err = (await response.json()) as { error: string };
        throw new Error(`D1_DUMP_ERROR: ${err.error}`, { cause: new Error(err.error) });
      } catch {
        throw new Error(`D1_DUMP_ERROR: Status + ${response.status}`, {
          cause: new Error(`Status ${response.status}`),
        });
      }
    }
    return await response.arrayBuffer();
  }
}

class D1PreparedStatement {
  declare dbSession: D1DatabaseSession;
  declare statement: string;
  declare params: D1Param[];

  constructor(dbSession: D1DatabaseSession, statement: string, values?: D1Param[]) {
    this.dbSession = dbSession;
    this.statement = statement;
    this.params = values || [];
  }

  /**
   * Checks and converts each value as the runtime does: booleans become 1 or
   * 0, byte arrays, ArrayBuffers and views become arrays of bytes (blobs), and
   * anything else that is not a number, a string or null is refused.
   */
  bind(...values: unknown[]): D1PreparedStatement {
    const transformedValues = values.map((r): D1Param => {
      const rType = typeof r;
      if (rType === "number" || rType === "string") return r as number | string;
      if (rType === "boolean") return r ? 1 : 0;
      if (rType === "object") {
        if (r == null) return null;
        if (Array.isArray(r) && r.every((b) => typeof b === "number" && b >= 0 && b < 256)) return r;
        if (r instanceof ArrayBuffer) return Array.from(new Uint8Array(r));
        if (ArrayBuffer.isView(r)) return Array.from(r as Uint8Array);
      }
      throw new Error(`D1_TYPE_ERROR: Type '${rType}' not supported for value '${r}'`, {
        cause: new Error(`Type '${rType}' not supported for value '${r}'`),
      });
    });
    return new D1PreparedStatement(this.dbSession, this.statement, transformedValues);
  }

  async first(colName?: string): Promise<unknown> {
    const info = firstIfArray(
      await this.dbSession._sendOrThrow("/query", this.statement, this.params, "ROWS_AND_COLUMNS"),
    ) as D1Success;
    const results = toArrayOfObjects(info).results;
    if (results.length === 0) return null;
    const firstResult = results.at(0);
    if (colName !== undefined) {
      if (firstResult?.[colName] === undefined) {
        throw new Error(`D1_COLUMN_NOTFOUND: Column not found (${colName})`, { cause: new Error("Column not found") });
      }
      return firstResult[colName];
    }
    return firstResult;
  }

  async run(): Promise<D1Answer | undefined> {
    return firstIfArray(await this.dbSession._sendOrThrow("/execute", this.statement, this.params, "NONE"));
  }

  async all(): Promise<D1Success & { results: Record<string, unknown>[] }> {
    const result = firstIfArray(
      await this.dbSession._sendOrThrow("/query", this.statement, this.params, "ROWS_AND_COLUMNS"),
    ) as D1Success;
    return toArrayOfObjects(result);
  }

  async raw(options?: { columnNames?: boolean }): Promise<unknown[][]> {
    const s = firstIfArray(
      await this.dbSession._sendOrThrow("/query", this.statement, this.params, "ROWS_AND_COLUMNS"),
    ) as D1Success;
    if (!("results" in s)) return [];
    if (Array.isArray(s.results)) {
      const raw: unknown[][] = [];
      for (const row of s.results) {
        if (options?.columnNames && raw.length === 0) raw.push(Array.from(Object.keys(row)));
        raw.push(Object.keys(row).map((k) => row[k]));
      }
      return raw;
    }
    const { columns, rows } = s.results as RowsAndColumns;
    return [...(options?.columnNames ? [columns] : []), ...rows];
  }
}

function firstIfArray<T>(results: T | T[]): T | undefined {
  return Array.isArray(results) ? results.at(0) : results;
}

/** Rows and columns as objects keyed by column (a later column of the same name wins, as in the runtime). */
function toArrayOfObjects(response: D1Success): D1Success & { results: Record<string, unknown>[] } {
  if (!("results" in response)) return { ...response, results: [] };
  const results = response.results;
  if (Array.isArray(results)) return { ...response, results };
  const { rows, columns } = results as RowsAndColumns;
  return {
    ...response,
    results: rows.map((row) => Object.fromEntries(row.map((cell, i) => [columns[i], cell]))),
  };
}

/** The rest of the binding relies on `success`; D1 only promises that `error` is there or not. */
function mapD1Result(result: D1Result): D1Answer {
  return result.error
    ? { success: false, error: result.error }
    : { success: true, meta: result.meta, ...("results" in result ? { results: result.results } : {}) };
}

async function toJson(response: Response): Promise<unknown> {
  const body = await response.text();
  try {
    return JSON.parse(body);
  } catch {
    throw new Error(`Failed to parse body as JSON, got: ${body}`);
  }
}

export function wrap(stub: D1Fetcher): D1Database {
  return new D1Database(stub);
}
