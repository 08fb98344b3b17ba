// @ts-check
// Conformance cases for a D1 binding. The same file runs against miniflare's
// real D1 binding (imported natively) and, as text, inside a tenant script
// uploaded to the emulator against the D1 binding a tenant receives: both
// must give identical results. Plain JS with no imports, so it can be shipped
// into a loaded worker as is. Every case drops and creates the tables it
// uses, under names of its own, so the cases do not depend on each other or
// on their order.

/** @typedef {D1Database} DB */

/**
 * An outcome as JSON: a value is described, an error by its constructor,
 * name, message and the message of its cause.
 * @param {() => unknown} run
 */
async function attempt(run) {
  try {
    return { ok: describe(await run()) };
  } catch (error) {
    return { error: errorShape(error) };
  }
}

/** @param {unknown} error */
function errorShape(error) {
  if (!(error instanceof Error)) return { thrown: String(error) };
  const cause = error.cause instanceof Error ? error.cause.message : error.cause === undefined ? null : "not an Error";
  return { constructor: error.constructor.name, name: error.name, message: error.message, cause };
}

/**
 * A JSON description of any value the binding returns, keeping what JSON
 * would lose: `undefined`, ArrayBuffers, non-finite numbers and key order.
 * @param {unknown} value
 * @returns {unknown}
 */
function describe(value) {
  if (value === undefined) return { undefined: true };
  if (typeof value === "number" && !Number.isFinite(value)) return { number: String(value) };
  if (value === null || typeof value !== "object") return value;
  if (value instanceof ArrayBuffer) return { arrayBuffer: [...new Uint8Array(value)] };
  if (Array.isArray(value)) return value.map(describe);
  return { keys: Object.keys(value), entries: Object.entries(value).map(([k, v]) => [k, describe(v)]) };
}

/**
 * A result's meta with what is the same on every run kept exactly, and the
 * rest by type only: timings, the database's size (it depends on everything
 * else in the database), the server's name, and, unless the case wrote a
 * row itself, the connection's last row id.
 * @param {Record<string, unknown>} meta
 * @param {{ lastRowId?: boolean }} [exact]
 */
function metaShape(meta, exact = {}) {
  const byType = new Set(["served_by", "duration", "size_after", ...(exact.lastRowId ? [] : ["last_row_id"])]);
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [key, value] of Object.entries(meta)) {
    if (key === "timings" && value !== null && typeof value === "object") {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, typeof v]));
    } else out[key] = byType.has(key) ? typeof value : value;
  }
  return { keys: Object.keys(meta), values: out };
}

/**
 * A D1Result: its keys in order, its rows and its meta.
 * @param {unknown} result
 * @param {{ lastRowId?: boolean }} [exact]
 */
function resultShape(result, exact) {
  if (result === null || typeof result !== "object") return { notAResult: describe(result) };
  const { meta, ...rest } = /** @type {{ meta?: Record<string, unknown> }} */ (result);
  return {
    keys: Object.keys(result),
    ...Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, describe(v)])),
    meta: meta === undefined ? { undefined: true } : metaShape(meta, exact),
  };
}

/**
 * Runs a statement and describes its D1Result (or its error).
 * @param {() => Promise<unknown>} run
 * @param {{ lastRowId?: boolean }} [exact]
 */
async function result(run, exact) {
  try {
    return { ok: resultShape(await run(), exact) };
  } catch (error) {
    return { error: errorShape(error) };
  }
}

/**
 * Runs a batch and describes each D1Result (or the batch's error).
 * @param {() => Promise<unknown[]>} run
 * @param {{ lastRowId?: boolean }} [exact]
 */
async function results(run, exact) {
  try {
    return { ok: (await run()).map((r) => resultShape(r, exact)) };
  } catch (error) {
    return { error: errorShape(error) };
  }
}

/**
 * A table of the case's own, empty.
 * @param {DB} db
 * @param {string} table
 * @param {string} columns
 */
async function table(db, table, columns) {
  await db.prepare(`DROP TABLE IF EXISTS ${table}`).run();
  await db.prepare(`CREATE TABLE ${table} (${columns})`).run();
}

/**
 * The rows of a table, in rowid order.
 * @param {DB} db
 * @param {string} table
 */
async function rowsOf(db, table) {
  return (await db.prepare(`SELECT * FROM ${table} ORDER BY rowid`).raw()).map(describe);
}

/**
 * A value of the given shape with every own method name, for comparing API surfaces.
 * @param {object} value
 */
function publicMethods(value) {
  const proto = Object.getPrototypeOf(value);
  return Object.getOwnPropertyNames(proto)
    .filter((name) => !name.startsWith("_") && typeof proto[name] === "function")
    .sort();
}

/** D1's session bookmarks: four hex groups. */
const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

/** @param {string | null} bookmark */
const bookmarkShape = (bookmark) => (bookmark === null ? null : BOOKMARK.test(bookmark) ? "bookmark" : bookmark);

/** @type {{ name: string, run: (db: DB) => Promise<unknown> }[]} */
export const cases = [
  {
    name: "the binding's surface: prepare is synchronous, statements are immutable objects",
    run: async (db) => {
      const statement = db.prepare("SELECT 1 AS one");
      const bound = statement.bind();
      return {
        binding: { constructor: db.constructor.name, methods: publicMethods(db), keys: Object.keys(db) },
        statement: {
          constructor: statement.constructor.name,
          methods: publicMethods(statement),
          keys: Object.keys(statement),
        },
        prepareReturnsAPromise: /** @type {unknown} */ (statement) instanceof Promise,
        bindReturnsANewStatement: bound !== statement,
        session: publicMethods(db.withSession()),
        sessionStatement: publicMethods(db.withSession().prepare("SELECT 1")),
      };
    },
  },
  {
    name: "all: rows as objects, success and meta",
    run: async (db) => {
      await table(db, "all_rows", "id INTEGER PRIMARY KEY, name TEXT, score REAL");
      await db.prepare("INSERT INTO all_rows (name, score) VALUES ('ada', 1.5), ('bob', NULL)").run();
      return {
        rows: await result(() => db.prepare("SELECT * FROM all_rows ORDER BY id").all(), { lastRowId: true }),
        none: await result(() => db.prepare("SELECT * FROM all_rows WHERE id > 10").all(), { lastRowId: true }),
        expression: await result(() => db.prepare("SELECT 1 + 1 AS two, 'x' || 'y' AS xy, NULL AS nil").all()),
      };
    },
  },
  {
    name: "run: writes answer with changes, last_row_id, rows written and an empty results array",
    run: async (db) => {
      await table(db, "run_meta", "id INTEGER PRIMARY KEY, v TEXT");
      const insert = db.prepare("INSERT INTO run_meta (v) VALUES (?)");
      return {
        first: await result(() => insert.bind("a").run(), { lastRowId: true }),
        second: await result(() => insert.bind("b").run(), { lastRowId: true }),
        many: await result(() => db.prepare("INSERT INTO run_meta (v) VALUES ('c'), ('d'), ('e')").run(), {
          lastRowId: true,
        }),
        update: await result(() => db.prepare("UPDATE run_meta SET v = upper(v) WHERE id > 2").run(), {
          lastRowId: true,
        }),
        delete: await result(() => db.prepare("DELETE FROM run_meta WHERE id = 1").run(), { lastRowId: true }),
        noMatch: await result(() => db.prepare("DELETE FROM run_meta WHERE id = 99").run(), { lastRowId: true }),
        selectThroughRun: await result(() => db.prepare("SELECT v FROM run_meta ORDER BY id").run(), {
          lastRowId: true,
        }),
        returning: await result(() => db.prepare("INSERT INTO run_meta (v) VALUES ('f') RETURNING id, v").run(), {
          lastRowId: true,
        }),
        rows: await rowsOf(db, "run_meta"),
      };
    },
  },
  {
    name: "schema statements: meta of CREATE, ALTER and DROP",
    run: async (db) => {
      await db.prepare("DROP TABLE IF EXISTS ddl_meta").run();
      /**
       * Only what does not depend on the rest of the database: schema statements read and write the schema table.
       * @param {string} sql
       */
      const coarse = async (sql) => {
        try {
          const { meta, results } = await db.prepare(sql).run();
          return { changes: meta.changes, changed_db: meta.changed_db, results };
        } catch (error) {
          return { error: errorShape(error) };
        }
      };
      return {
        create: await coarse("CREATE TABLE ddl_meta (a)"),
        alter: await coarse("ALTER TABLE ddl_meta ADD COLUMN b TEXT"),
        index: await coarse("CREATE INDEX ddl_meta_b ON ddl_meta (b)"),
        drop: await coarse("DROP TABLE ddl_meta"),
        dropMissing: await coarse("DROP TABLE ddl_meta"),
      };
    },
  },
  {
    name: "first: the first row, one column of it, or null",
    run: async (db) => {
      await table(db, "first_rows", "id INTEGER PRIMARY KEY, name TEXT, n INTEGER");
      await db.prepare("INSERT INTO first_rows (name, n) VALUES ('a', 0), ('b', NULL), ('c', 3)").run();
      const all = db.prepare("SELECT name, n FROM first_rows ORDER BY id");
      const none = db.prepare("SELECT name, n FROM first_rows WHERE id > 100");
      return {
        row: await attempt(() => all.first()),
        column: await attempt(() => all.first("name")),
        zero: await attempt(() => all.first("n")),
        nullColumn: await attempt(() => db.prepare("SELECT n FROM first_rows WHERE name = 'b'").first("n")),
        missingColumn: await attempt(() => all.first("nope")),
        noRow: await attempt(() => none.first()),
        noRowMissingColumn: await attempt(() => none.first("nope")),
        bound: await attempt(() => db.prepare("SELECT name FROM first_rows WHERE n = ?").bind(3).first("name")),
        write: await attempt(() => db.prepare("INSERT INTO first_rows (name) VALUES ('d') RETURNING id").first()),
        writeNothing: await attempt(() => db.prepare("INSERT INTO first_rows (name) VALUES ('e')").first()),
        error: await attempt(() => db.prepare("SELECT * FROM first_missing_table").first()),
      };
    },
  },
  {
    name: "raw: rows as arrays, with the column names first when asked",
    run: async (db) => {
      await table(db, "raw_rows", "a INTEGER, b TEXT");
      await db.prepare("INSERT INTO raw_rows VALUES (1, 'x'), (2, 'y')").run();
      const rows = db.prepare("SELECT a, b FROM raw_rows ORDER BY a");
      const none = db.prepare("SELECT a, b FROM raw_rows WHERE a > 100");
      return {
        plain: await attempt(() => rows.raw()),
        withNames: await attempt(() => rows.raw({ columnNames: true })),
        withoutNames: await attempt(() => rows.raw({ columnNames: false })),
        noRows: await attempt(() => none.raw()),
        noRowsWithNames: await attempt(() => none.raw({ columnNames: true })),
        duplicateNames: await attempt(() => db.prepare("SELECT 1 AS a, 2 AS a").raw({ columnNames: true })),
        write: await attempt(() => db.prepare("INSERT INTO raw_rows VALUES (3, 'z')").raw({ columnNames: true })),
      };
    },
  },
  {
    name: "rows with columns of the same name keep the last one as objects",
    run: async (db) => ({
      all: await result(() => db.prepare("SELECT 1 AS a, 2 AS a, 3 AS b").all()),
      first: await attempt(() => db.prepare("SELECT 1 AS a, 2 AS a").first()),
    }),
  },
  {
    name: "bind: the types D1 takes and what they become",
    run: async (db) => {
      const select = db.prepare("SELECT ? AS v, typeof(?1) AS t");
      /** @param {unknown} value */
      const roundTrip = (value) => attempt(() => select.bind(value).first());
      return {
        integer: await roundTrip(42),
        negative: await roundTrip(-7),
        float: await roundTrip(1.25),
        bigNumber: await roundTrip(2 ** 53 + 2),
        negativeZero: await roundTrip(-0),
        nan: await roundTrip(Number.NaN),
        infinity: await roundTrip(Number.POSITIVE_INFINITY),
        string: await roundTrip("héllo 🎉"),
        emptyString: await roundTrip(""),
        numericString: await roundTrip("12"),
        true: await roundTrip(true),
        false: await roundTrip(false),
        null: await roundTrip(null),
        uint8Array: await roundTrip(new Uint8Array([0, 1, 255])),
        arrayBuffer: await roundTrip(new Uint8Array([9, 8, 7]).buffer),
        byteArray: await roundTrip([1, 2, 3]),
        emptyByteArray: await roundTrip([]),
        uint16Array: await roundTrip(new Uint16Array([1, 256, 65535])),
        subarray: await roundTrip(new Uint8Array([1, 2, 3, 4]).subarray(1, 3)),
        dataView: await roundTrip(new DataView(new Uint8Array([1, 2]).buffer)),
      };
    },
  },
  {
    name: "bind: values D1 refuses, before anything is sent",
    run: async (db) => {
      const select = db.prepare("SELECT ? AS v");
      /** @param {unknown} value */
      const bind = (value) => attempt(() => select.bind(value));
      return {
        undefined: await bind(undefined),
        bigint: await bind(10n),
        object: await bind({ a: 1 }),
        date: await bind(new Date(0)),
        function: await bind(() => 1),
        symbol: await bind(Symbol("s")),
        outOfRangeBytes: await bind([1, 2, 300]),
        negativeBytes: await bind([-1]),
        mixedArray: await bind([1, "2"]),
        nestedArray: await bind([[1]]),
        map: await bind(new Map()),
        secondOfThree: await attempt(() => db.prepare("SELECT ?, ?, ?").bind(1, undefined, 3)),
      };
    },
  },
  {
    name: "bind: parameters by position, number and name; the count must match",
    run: async (db) => ({
      none: await attempt(() => db.prepare("SELECT 1 AS a").bind().first()),
      ordered: await attempt(() => db.prepare("SELECT ? AS a, ? AS b").bind(1, 2).first()),
      numbered: await attempt(() => db.prepare("SELECT ?2 AS a, ?1 AS b, ?2 AS c").bind("one", "two").first()),
      colon: await attempt(() => db.prepare("SELECT :x AS a, :y AS b").bind(1, 2).first()),
      at: await attempt(() => db.prepare("SELECT @x AS a").bind(5).first()),
      dollar: await attempt(() => db.prepare("SELECT $x AS a").bind(6).first()),
      tooFew: await attempt(() => db.prepare("SELECT ? AS a, ? AS b").bind(1).first()),
      tooMany: await attempt(() => db.prepare("SELECT ? AS a").bind(1, 2).first()),
      unbound: await attempt(() => db.prepare("SELECT ? AS a").first()),
      rebound: await attempt(() => db.prepare("SELECT ? AS a").bind(1).bind(2).first()),
      original: await attempt(async () => {
        const statement = db.prepare("SELECT ? AS a");
        const one = statement.bind(1);
        const two = statement.bind(2);
        return [await one.first("a"), await two.first("a")];
      }),
    }),
  },
  {
    name: "blobs come back as arrays of bytes",
    run: async (db) => {
      await table(db, "blob_rows", "id INTEGER PRIMARY KEY, data BLOB");
      const insert = db.prepare("INSERT INTO blob_rows (data) VALUES (?)");
      await insert.bind(new Uint8Array([1, 2, 3])).run();
      await insert.bind(new Uint8Array([]).buffer).run();
      await insert.bind([255, 0]).run();
      await db.prepare("INSERT INTO blob_rows (data) VALUES (X'CAFE'), (zeroblob(3))").run();
      const all = db.prepare("SELECT id, data, typeof(data) AS t, length(data) AS n FROM blob_rows ORDER BY id");
      return {
        all: await result(() => all.all(), { lastRowId: true }),
        raw: await attempt(() => all.raw()),
        first: await attempt(() => all.first("data")),
        whereBlob: await attempt(() =>
          db
            .prepare("SELECT id FROM blob_rows WHERE data = ?")
            .bind(new Uint8Array([1, 2, 3]))
            .first("id"),
        ),
      };
    },
  },
  {
    name: "numbers and text as SQLite stores them",
    run: async (db) => {
      await table(db, "value_rows", "i INTEGER, r REAL, t TEXT, n NUMERIC, any_value");
      await db
        .prepare("INSERT INTO value_rows VALUES (?, ?, ?, ?, ?)")
        .bind(2 ** 53, 3, 12, "4.0", "text")
        .run();
      await db.prepare("INSERT INTO value_rows VALUES (9223372036854775807, 1e308, 'a''b', '0x10', 1.5)").run();
      return {
        rows: await attempt(() =>
          db.prepare("SELECT i, r, t, n, any_value, typeof(i) AS ti, typeof(n) AS tn FROM value_rows").raw(),
        ),
        extremes: await attempt(() =>
          db.prepare("SELECT 1e999 AS inf, -1e999 AS ninf, 0.1 + 0.2 AS sum, -9223372036854775808 AS min").first(),
        ),
        text: await attempt(() => db.prepare("SELECT char(0, 65) AS nul, 'ünï' AS u, '' AS empty").first()),
      };
    },
  },
  {
    name: "SQL errors carry SQLite's message behind D1_ERROR",
    run: async (db) => {
      await table(db, "error_rows", "id INTEGER PRIMARY KEY, v TEXT NOT NULL, n INTEGER CHECK (n > 0)");
      await db.prepare("INSERT INTO error_rows (id, v, n) VALUES (1, 'a', 1)").run();
      await db.prepare("DROP TABLE IF EXISTS strict_rows").run();
      await db.prepare("CREATE TABLE strict_rows (n INTEGER) STRICT").run();
      return {
        noTable: await result(() => db.prepare("SELECT * FROM no_such_table").all()),
        noColumn: await result(() => db.prepare("SELECT nope FROM error_rows").all()),
        syntax: await result(() => db.prepare("SELEC 1").all()),
        syntaxLater: await result(() => db.prepare("SELECT 1 FROM error_rows WHERE").all()),
        unique: await result(() => db.prepare("INSERT INTO error_rows (id, v, n) VALUES (1, 'b', 1)").run()),
        notNull: await result(() => db.prepare("INSERT INTO error_rows (n) VALUES (1)").run()),
        check: await result(() => db.prepare("INSERT INTO error_rows (v, n) VALUES ('x', -1)").run()),
        strict: await result(() => db.prepare("INSERT INTO strict_rows VALUES ('text')").run()),
        noFunction: await result(() => db.prepare("SELECT no_such_function(1)").all()),
        viaRaw: await attempt(() => db.prepare("SELECT * FROM no_such_table").raw()),
        rows: await rowsOf(db, "error_rows"),
      };
    },
  },
  {
    name: "empty statements, comments and several statements in one prepare",
    run: async (db) => {
      await table(db, "multi_rows", "v INTEGER");
      return {
        empty: await result(() => db.prepare("").all()),
        whitespace: await result(() => db.prepare("  \n\t ").run()),
        comment: await result(() => db.prepare("-- only a comment").all()),
        indentedComment: await result(() => db.prepare("  -- only a comment").all()),
        blockComment: await result(() => db.prepare("/* only a comment */").all()),
        trailingSemicolon: await result(() => db.prepare("SELECT 1 AS a;").all()),
        trailingComment: await result(() => db.prepare("SELECT 1 AS a -- why").all()),
        twoSelects: await result(() => db.prepare("SELECT 1 AS a; SELECT 2 AS b").all()),
        twoInserts: await result(
          () => db.prepare("INSERT INTO multi_rows VALUES (1); INSERT INTO multi_rows VALUES (2)").run(),
          { lastRowId: true },
        ),
        insertThenSelect: await result(
          () => db.prepare("INSERT INTO multi_rows VALUES (3); SELECT count(*) AS n FROM multi_rows").all(),
          { lastRowId: true },
        ),
        failingSecond: await result(() =>
          db.prepare("INSERT INTO multi_rows VALUES (4); SELECT * FROM no_such_multi").run(),
        ),
        paramsAcrossStatements: await result(() => db.prepare("SELECT ? AS a; SELECT ? AS b").bind(1, 2).all()),
        rows: await rowsOf(db, "multi_rows"),
      };
    },
  },
  {
    name: "batch: one result per statement, in order, in one transaction",
    run: async (db) => {
      await table(db, "batch_rows", "id INTEGER PRIMARY KEY, v TEXT");
      const insert = db.prepare("INSERT INTO batch_rows (v) VALUES (?)");
      const batch = await results(
        () =>
          db.batch([
            insert.bind("a"),
            insert.bind("b"),
            db.prepare("UPDATE batch_rows SET v = 'B' WHERE v = 'b'"),
            db.prepare("SELECT * FROM batch_rows ORDER BY id"),
            db.prepare("SELECT ? AS x, ? AS y").bind(1, null),
          ]),
        { lastRowId: true },
      );
      return { batch, rows: await rowsOf(db, "batch_rows") };
    },
  },
  {
    name: "batch: a failing statement rolls back the whole batch and throws",
    run: async (db) => {
      await table(db, "batch_atomic", "id INTEGER PRIMARY KEY, v TEXT UNIQUE");
      await db.prepare("INSERT INTO batch_atomic (v) VALUES ('kept')").run();
      const insert = db.prepare("INSERT INTO batch_atomic (v) VALUES (?)");
      return {
        missingTable: await attempt(() =>
          db.batch([insert.bind("x"), insert.bind("y"), db.prepare("SELECT * FROM no_such_batch")]),
        ),
        constraint: await attempt(() => db.batch([insert.bind("z"), insert.bind("kept")])),
        firstFails: await attempt(() => db.batch([db.prepare("SELEC"), insert.bind("w")])),
        typeErrorWhileBuilding: await attempt(() => db.batch([insert.bind("v"), insert.bind(undefined)])),
        rows: await rowsOf(db, "batch_atomic"),
      };
    },
  },
  {
    name: "batch: empty, not an array, not statements",
    run: async (db) => ({
      empty: await attempt(() => db.batch([])),
      onlyEmptyStatements: await attempt(() => db.batch([db.prepare(""), db.prepare("  ")])),
      someEmptyStatements: await results(() => db.batch([db.prepare(""), db.prepare("SELECT 1 AS a")])),
      notAnArray: await attempt(() => db.batch(/** @type {any} */ ("SELECT 1"))),
      plainObjects: await results(() => db.batch(/** @type {any} */ ([{ statement: "SELECT 2 AS b", params: [] }]))),
    }),
  },
  {
    name: "exec: one query per line, counted; no parameters",
    run: async (db) => {
      await db.prepare("DROP TABLE IF EXISTS exec_rows").run();
      const outcome = await attempt(async () => {
        const answer = await db.exec(
          "CREATE TABLE exec_rows (v INTEGER);\nINSERT INTO exec_rows VALUES (1);\n\n  \nINSERT INTO exec_rows VALUES (2); INSERT INTO exec_rows VALUES (3)\r\nSELECT * FROM exec_rows\n",
        );
        return { fields: Object.keys(answer), count: answer.count, duration: typeof answer.duration };
      });
      return {
        outcome,
        rows: await rowsOf(db, "exec_rows"),
        single: await attempt(() => db.exec("SELECT 1").then(({ count }) => count)),
        questionMark: await attempt(() => db.exec("SELECT ?")),
      };
    },
  },
  {
    name: "exec: errors name line 1, and the whole exec is undone",
    run: async (db) => {
      await table(db, "exec_atomic", "v INTEGER UNIQUE");
      return {
        thirdLineFails: await attempt(() =>
          db.exec(
            "INSERT INTO exec_atomic VALUES (1)\nINSERT INTO exec_atomic VALUES (2)\nINSERT INTO no_such_exec VALUES (3)",
          ),
        ),
        firstLineFails: await attempt(() => db.exec("INSERTZ INTO exec_atomic VALUES (1)\nSELECT 1")),
        constraint: await attempt(() =>
          db.exec("INSERT INTO exec_atomic VALUES (5)\nINSERT INTO exec_atomic VALUES (5)"),
        ),
        rows: await rowsOf(db, "exec_atomic"),
        empty: await attempt(() => db.exec("")),
        blankLines: await attempt(() => db.exec("\n\n  \n")),
        commentLine: await attempt(() => db.exec("-- a comment\nSELECT 1")),
        indentedCommentLine: await attempt(() => db.exec("SELECT 1\n  -- a comment").then(({ count }) => count)),
        notAString: await attempt(() => db.exec(/** @type {any} */ (42))),
      };
    },
  },
  {
    name: "SQL that is not a string fails when run",
    run: async (db) => {
      /** @param {() => Promise<unknown>} run */
      const firstLine = async (run) => {
        try {
          return { ok: describe(await run()) };
        } catch (error) {
          const shape = errorShape(error);
          if (typeof shape.message !== "string") return shape;
          // miniflare puts its own stack trace under the first line; the first line is the error.
          return { constructor: shape.constructor, firstLine: shape.message.split("\n")[0] };
        }
      };
      return {
        number: await firstLine(() => db.prepare(/** @type {any} */ (123)).all()),
        missing: await firstLine(() => /** @type {any} */ (db).prepare().first()),
        object: await firstLine(() => db.prepare(/** @type {any} */ ({ sql: "SELECT 1" })).run()),
        batchOfNonStatements: await firstLine(() => db.batch(/** @type {any} */ ([{ sql: "SELECT 1" }]))),
      };
    },
  },
  {
    name: "transactions are the binding's: BEGIN, SAVEPOINT and VACUUM are refused",
    run: async (db) => ({
      begin: await result(() => db.prepare("BEGIN TRANSACTION").run()),
      commit: await result(() => db.prepare("COMMIT").run()),
      savepoint: await result(() => db.prepare("SAVEPOINT s1").run()),
      release: await result(() => db.prepare("RELEASE s1").run()),
      vacuum: await result(() => db.prepare("VACUUM").run()),
      execBegin: await attempt(() => db.exec("BEGIN")),
    }),
  },
  {
    name: "the database is alone: ATTACH, other schemas and storage internals are refused",
    run: async (db) => ({
      attach: await result(() => db.prepare("ATTACH DATABASE 'other.sqlite' AS other").run()),
      attachBound: await result(() => db.prepare("ATTACH DATABASE ? AS other").bind(":memory:").run()),
      attachExec: await attempt(() => db.exec("ATTACH DATABASE 'file:other?mode=memory' AS other")),
      detach: await result(() => db.prepare("DETACH DATABASE main").run()),
      tempSchema: await result(() => db.prepare("SELECT name FROM temp.sqlite_master").all()),
      otherSchema: await result(() => db.prepare("SELECT * FROM other.sqlite_master").all()),
      databaseList: await result(() => db.prepare("PRAGMA database_list").all()),
      journalMode: await result(() => db.prepare("PRAGMA journal_mode").all()),
      writableSchema: await result(() => db.prepare("PRAGMA writable_schema = ON").run()),
      loadExtension: await result(() => db.prepare("SELECT load_extension('x')").all()),
      cfKv: await result(() => db.prepare("SELECT * FROM _cf_KV").all()),
      cfMetadata: await result(() => db.prepare("SELECT * FROM _cf_METADATA").all()),
      cfCreate: await result(() => db.prepare("CREATE TABLE _cf_mine (x)").run()),
      sqliteCreate: await result(() => db.prepare("CREATE TABLE sqlite_mine (x)").run()),
      sqliteSequenceWrite: await result(() => db.prepare("DELETE FROM sqlite_sequence").run()),
    }),
  },
  {
    name: "pragmas D1 allows answer about this database",
    run: async (db) => {
      await table(db, "pragma_rows", "id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT 'x'");
      return {
        tableInfo: await result(() => db.prepare("PRAGMA table_info(pragma_rows)").all()),
        tableInfoFunction: await result(() =>
          db.prepare("SELECT name, type FROM pragma_table_info(?)").bind("pragma_rows").all(),
        ),
        foreignKeys: await result(() => db.prepare("PRAGMA foreign_keys").all()),
        foreignKeysOff: await result(() => db.prepare("PRAGMA foreign_keys = OFF").run()),
        deferForeignKeys: await result(() => db.prepare("PRAGMA defer_foreign_keys = ON").run()),
        schemaOfMine: await result(() =>
          db.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master WHERE tbl_name = 'pragma_rows'").all(),
        ),
        internalTables: await result(() =>
          db.prepare("SELECT name FROM sqlite_master WHERE name LIKE '\\_cf\\_%' ESCAPE '\\' ORDER BY name").all(),
        ),
      };
    },
  },
  {
    name: "sessions: the same statements, and a bookmark once a query has answered",
    run: async (db) => {
      await table(db, "session_rows", "v INTEGER");
      const session = db.withSession();
      const before = session.getBookmark();
      const insert = await result(() => session.prepare("INSERT INTO session_rows VALUES (?)").bind(1).run(), {
        lastRowId: true,
      });
      const afterWrite = session.getBookmark();
      const read = await attempt(() => session.prepare("SELECT v FROM session_rows").first());
      const batch = await results(() => session.batch([session.prepare("SELECT count(*) AS n FROM session_rows")]));
      const afterRead = session.getBookmark();
      const primary = db.withSession("first-primary");
      const primaryBefore = primary.getBookmark();
      await primary.prepare("SELECT 1").run();
      return {
        before,
        insert,
        afterWrite: bookmarkShape(afterWrite),
        read,
        batch,
        afterRead: bookmarkShape(afterRead),
        neverGoesBack: afterWrite !== null && afterRead !== null && afterWrite.localeCompare(afterRead) <= 0,
        primaryBefore,
        primaryAfter: bookmarkShape(primary.getBookmark()),
      };
    },
  },
  {
    name: "sessions: constraints and bookmarks given when opening one",
    run: async (db) => {
      const given = "00000000-00000001-00000000-00000000000000000000000000000000";
      const fromBookmark = db.withSession(given);
      const initial = fromBookmark.getBookmark();
      await fromBookmark.prepare("SELECT 1").run();
      return {
        initial,
        afterQuery: bookmarkShape(fromBookmark.getBookmark()),
        moved: fromBookmark.getBookmark() !== given,
        unconstrained: db.withSession("first-unconstrained").getBookmark(),
        blank: db.withSession("   ").getBookmark(),
        padded: db.withSession(`  ${given}  `).getBookmark(),
        notAString: await attempt(() => db.withSession(/** @type {any} */ (42))),
        sessionExec: typeof (/** @type {any} */ (db.withSession()).exec),
        sessionDump: typeof (/** @type {any} */ (db.withSession()).dump),
      };
    },
  },
  {
    name: "dump and query: the calls D1 no longer serves",
    run: async (db) => ({
      dump: await attempt(() => db.dump()),
      query: await attempt(() => /** @type {any} */ (db).query({ queries: [{ sql: "SELECT 1" }] })),
    }),
  },
  {
    name: "many rows and queries in flight at once",
    run: async (db) => {
      await table(db, "many_rows", "n INTEGER");
      await db
        .prepare(
          "WITH RECURSIVE c(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM c WHERE n < 1000) INSERT INTO many_rows SELECT n FROM c",
        )
        .run();
      const all = await db.prepare("SELECT n FROM many_rows ORDER BY n").all();
      const parallel = await Promise.all(
        [1, 2, 3, 4, 5].map((i) =>
          db.prepare("SELECT count(*) AS c FROM many_rows WHERE n % ? = 0").bind(i).first("c"),
        ),
      );
      return {
        count: all.results.length,
        last: all.results.at(-1),
        meta: metaShape(all.meta),
        parallel,
        aggregate: await attempt(() =>
          db.prepare("SELECT sum(n) AS s, avg(n) AS a, max(n) AS m FROM many_rows").first(),
        ),
      };
    },
  },
];
