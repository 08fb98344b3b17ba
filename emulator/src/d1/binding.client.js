// @ts-check
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

/** @typedef {{ fetch(input: string, init?: RequestInit): Promise<Response> }} D1Fetcher */
/** @typedef {string | number | null | number[]} D1Param */
/** @typedef {"ROWS_AND_COLUMNS" | "NONE"} ResultsFormat */
/** @typedef {Record<string, unknown>} D1Meta */
/**
 * @typedef {{ success: true, meta: D1Meta, results?: unknown }
 *   | { success: false, error: string }} D1Answer
 */

class D1Database {
  // Declared first, as in the runtime: they are the binding's own keys, in this order.
  /** @type {D1DatabaseSessionAlwaysPrimary} */
  alwaysPrimarySession;
  /** @type {D1Fetcher} */
  fetcher;

  /** @param {D1Fetcher} fetcher */
  constructor(fetcher) {
    this.fetcher = fetcher;
    this.alwaysPrimarySession = new D1DatabaseSessionAlwaysPrimary(this.fetcher);
  }

  /** @param {string} query */
  prepare(query) {
    return new D1PreparedStatement(this.alwaysPrimarySession, query);
  }

  /** @param {D1PreparedStatement[]} statements */
  async batch(statements) {
    return this.alwaysPrimarySession.batch(statements);
  }

  /** @param {string} query */
  async exec(query) {
    return this.alwaysPrimarySession.exec(query);
  }

  /** @param {string} [constraintOrBookmark] */
  withSession(constraintOrBookmark) {
    let bookmarkOrConstraint = constraintOrBookmark?.trim();
    if (bookmarkOrConstraint == null || bookmarkOrConstraint === "") {
      bookmarkOrConstraint = D1_SESSION_CONSTRAINT_FIRST_UNCONSTRAINED;
    }
    return new D1DatabaseSession(this.fetcher, bookmarkOrConstraint);
  }

  /**
   * Needs the d1_binding_jsrpc compatibility flag, which miniflare's D1 does
   * not serve: without it the runtime refuses the call, as here.
   * @param {unknown} _request
   */
  async query(_request) {
    const message =
      "D1Database.query() requires the d1_binding_jsrpc compatibility flag. Enable d1_binding_jsrpc before calling query().";
    throw new Error(`D1_ERROR: ${message}`);
  }

  /** @deprecated D1 no longer serves dumps: the call fails as it does on D1. */
  async dump() {
    return this.alwaysPrimarySession.dump();
  }
}

class D1DatabaseSession {
  /**
   * @param {D1Fetcher} fetcher
   * @param {string | null} bookmarkOrConstraint `null` sends no bookmark at all
   */
  constructor(fetcher, bookmarkOrConstraint) {
    this.fetcher = fetcher;
    /** @type {string | null} */
    this.bookmarkOrConstraint = null;
    if (bookmarkOrConstraint != null) {
      this.bookmarkOrConstraint = bookmarkOrConstraint.trim();
      if (!this.bookmarkOrConstraint) throw new Error("D1_SESSION_ERROR: invalid bookmark or constraint");
    }
  }

  /**
   * Keeps the newest bookmark seen: queries of one session can run at once
   * and answer in any order.
   * @param {string} newBookmark
   * @returns {string | null}
   */
  _updateBookmark(newBookmark) {
    const bookmark = newBookmark.trim();
    if (!bookmark) return this.getBookmark();
    const currentBookmark = this.getBookmark();
    if (currentBookmark === null || currentBookmark.localeCompare(bookmark) < 0) {
      this.bookmarkOrConstraint = bookmark;
    }
    return this.getBookmark();
  }

  /** @param {string} sql */
  prepare(sql) {
    return new D1PreparedStatement(this, sql);
  }

  /** @param {D1PreparedStatement[]} statements */
  async batch(statements) {
    // Only the first answer is checked: D1 fails a batch as a whole.
    const exec = /** @type {(D1Answer & { success: true })[]} */ (
      await this._sendOrThrow(
        "/query",
        statements.map((s) => s.statement),
        statements.map((s) => s.params),
        "ROWS_AND_COLUMNS",
      )
    );
    return exec.map(toArrayOfObjects);
  }

  /**
   * The newest bookmark this session received; never the constraint it was opened with.
   * @returns {string | null}
   */
  getBookmark() {
    switch (this.bookmarkOrConstraint) {
      case D1_SESSION_CONSTRAINT_FIRST_UNCONSTRAINED:
      case D1_SESSION_CONSTRAINT_FIRST_PRIMARY:
        return null;
      default:
        return this.bookmarkOrConstraint;
    }
  }

  /**
   * Sends the session's bookmark (or constraint) and keeps the one the answer carries.
   * @param {string} input
   * @param {RequestInit} [init]
   */
  async _wrappedFetch(input, init) {
    const headers = new Headers(init?.headers);
    if (this.bookmarkOrConstraint) headers.set(D1_SESSION_COMMIT_TOKEN_HTTP_HEADER, this.bookmarkOrConstraint);
    const request = init ? { ...init, headers } : { headers };
    const response = await this.fetcher.fetch(input, request);
    const newBookmark = response.headers.get(D1_SESSION_COMMIT_TOKEN_HTTP_HEADER);
    if (newBookmark) this._updateBookmark(newBookmark);
    return response;
  }

  /**
   * @param {string} endpoint
   * @param {string | string[]} query
   * @param {D1Param[] | D1Param[][]} params
   * @param {ResultsFormat} resultsFormat
   * @returns {Promise<D1Answer | D1Answer[]>}
   */
  async _sendOrThrow(endpoint, query, params, resultsFormat) {
    const results = await this._send(endpoint, query, params, resultsFormat);
    const firstResult = /** @type {D1Answer} */ (firstIfArray(results));
    if (!firstResult.success) {
      throw new Error(`D1_ERROR: ${firstResult.error}`, { cause: new Error(firstResult.error) });
    }
    return results;
  }

  /**
   * @param {string} endpoint
   * @param {string | string[]} query
   * @param {D1Param[] | D1Param[][]} params
   * @param {ResultsFormat} resultsFormat
   * @returns {Promise<D1Answer | D1Answer[]>}
   */
  async _send(endpoint, query, params, resultsFormat) {
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
      const answer = await toJson(response);
      return Array.isArray(answer) ? answer.map(mapD1Result) : mapD1Result(answer);
    } catch (error) {
      const e = /** @type {Error & { cause?: Error }} */ (error);
      const message = e.cause?.message || e.message || "Something went wrong";
      throw new Error(`D1_ERROR: ${message}`, { cause: new Error(message) });
    }
  }
}

/** The session behind the binding's own `prepare`, `batch` and `exec`: always the primary, never a bookmark. */
class D1DatabaseSessionAlwaysPrimary extends D1DatabaseSession {
  /** @param {D1Fetcher} fetcher */
  constructor(fetcher) {
    super(fetcher, null);
  }

  /**
   * @override
   * @param {string} _newBookmark
   * @returns {string | null}
   */
  _updateBookmark(_newBookmark) {
    return null;
  }

  /**
   * @override
   * @returns {string | null}
   */
  getBookmark() {
    return null;
  }

  /**
   * Each line is one query, without parameters (the runtime splits on
   * newlines only). D1 answers a failure as a whole, so the error always
   * names line 1, whichever line failed: the runtime's message, kept.
   * @param {string} query
   */
  async exec(query) {
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
      duration += /** @type {number} */ (res.meta.duration);
    }
    return { count: results.length, duration };
  }

  async dump() {
    const response = await this._wrappedFetch("http://d1/dump", {
      method: "POST",
      headers: { "content-type": "application/json" },
    });
    if (response.status !== 200) {
      try {
        const err = /** @type {{ error: string }} */ (await response.json());
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
  /**
   * @param {D1DatabaseSession} dbSession
   * @param {string} statement
   * @param {D1Param[]} [values]
   */
  constructor(dbSession, statement, values) {
    this.dbSession = dbSession;
    this.statement = statement;
    this.params = values || [];
  }

  /**
   * Checks and converts each value as the runtime does: booleans become 1 or
   * 0, byte arrays, ArrayBuffers and views become arrays of bytes (blobs), and
   * anything else that is not a number, a string or null is refused.
   * @param {unknown[]} values
   */
  bind(...values) {
    const transformedValues = values.map((r) => {
      const rType = typeof r;
      if (rType === "number" || rType === "string") return /** @type {number | string} */ (r);
      if (rType === "boolean") return r ? 1 : 0;
      if (rType === "object") {
        if (r == null) return null;
        if (Array.isArray(r) && r.every((b) => typeof b === "number" && b >= 0 && b < 256)) return r;
        if (r instanceof ArrayBuffer) return Array.from(new Uint8Array(r));
        if (ArrayBuffer.isView(r)) return Array.from(/** @type {Uint8Array} */ (r));
      }
      throw new Error(`D1_TYPE_ERROR: Type '${rType}' not supported for value '${r}'`, {
        cause: new Error(`Type '${rType}' not supported for value '${r}'`),
      });
    });
    return new D1PreparedStatement(this.dbSession, this.statement, transformedValues);
  }

  /** @param {string} [colName] */
  async first(colName) {
    const info = /** @type {D1Answer & { success: true }} */ (
      firstIfArray(await this.dbSession._sendOrThrow("/query", this.statement, this.params, "ROWS_AND_COLUMNS"))
    );
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

  async run() {
    return firstIfArray(await this.dbSession._sendOrThrow("/execute", this.statement, this.params, "NONE"));
  }

  async all() {
    const result = /** @type {D1Answer & { success: true }} */ (
      firstIfArray(await this.dbSession._sendOrThrow("/query", this.statement, this.params, "ROWS_AND_COLUMNS"))
    );
    return toArrayOfObjects(result);
  }

  /** @param {{ columnNames?: boolean }} [options] */
  async raw(options) {
    const s = /** @type {D1Answer & { success: true }} */ (
      firstIfArray(await this.dbSession._sendOrThrow("/query", this.statement, this.params, "ROWS_AND_COLUMNS"))
    );
    if (!("results" in s)) return [];
    if (Array.isArray(s.results)) {
      /** @type {unknown[][]} */
      const raw = [];
      for (const row of s.results) {
        if (options?.columnNames && raw.length === 0) raw.push(Array.from(Object.keys(row)));
        raw.push(Object.keys(row).map((k) => row[k]));
      }
      return raw;
    }
    const { columns, rows } = /** @type {{ columns: string[], rows: unknown[][] }} */ (s.results);
    return [...(options?.columnNames ? [columns] : []), ...rows];
  }
}

/**
 * @template T
 * @param {T | T[]} results
 * @returns {T | undefined}
 */
function firstIfArray(results) {
  return Array.isArray(results) ? results.at(0) : results;
}

/**
 * Rows and columns as objects keyed by column (a later column of the same name wins, as in the runtime).
 * @param {D1Answer & { success: true }} response
 * @returns {D1Answer & { success: true, results: Record<string, unknown>[] }}
 */
function toArrayOfObjects(response) {
  if (!("results" in response)) return { ...response, results: [] };
  const results = response.results;
  if (Array.isArray(results)) return { ...response, results };
  const { rows, columns } = /** @type {{ columns: string[], rows: unknown[][] }} */ (results);
  return {
    ...response,
    results: rows.map((row) => Object.fromEntries(row.map((cell, i) => [columns[i], cell]))),
  };
}

/**
 * The rest of the binding relies on `success`; D1 only promises that `error` is there or not.
 * @param {{ error?: string, meta: D1Meta, results?: unknown }} result
 * @returns {D1Answer}
 */
function mapD1Result(result) {
  return result.error
    ? { success: false, error: result.error }
    : { success: true, meta: result.meta, ...("results" in result ? { results: result.results } : {}) };
}

/** @param {Response} response */
async function toJson(response) {
  const body = await response.text();
  try {
    return JSON.parse(body);
  } catch {
    throw new Error(`Failed to parse body as JSON, got: ${body}`);
  }
}

/** @param {D1Fetcher} stub */
export function wrap(stub) {
  return new D1Database(stub);
}
