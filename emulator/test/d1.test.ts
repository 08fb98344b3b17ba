import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { acct, call, errorOf, json, resultOf } from "./helpers";

type Database = {
  uuid: string;
  name: string;
  created_at: string;
  version: string;
  file_size?: number;
  num_tables?: number;
};
type Meta = {
  changes: number;
  duration: number;
  last_row_id: number;
  rows_read: number;
  rows_written: number;
  changed_db: boolean;
  size_after: number;
  served_by: string;
};
type QueryResult = { results: Record<string, unknown>[]; success: boolean; meta: Meta };
type RawResult = { results: { columns: string[]; rows: unknown[][] }; success: boolean; meta: Meta };
type ListBody = {
  result: Database[];
  result_info: { page: number; per_page: number; count: number; total_count: number; total_pages: number };
};

/** A new account per test keeps listings exact whatever else the file has created. */
const freshAccount = () => crypto.randomUUID().replaceAll("-", "");
const databases = (account: string, query = "") => acct(`/d1/database${query}`, account);
const database = (account: string, id: string, rest = "") => acct(`/d1/database/${id}${rest}`, account);

async function create(account: string, name: string): Promise<Database> {
  return resultOf<Database>(await call(databases(account), json("POST", { name })));
}

/** A database in a fresh account, and a way to query it. */
async function scratch() {
  const account = freshAccount();
  const db = await create(account, "scratch");
  const query = async (body: unknown) => call(database(account, db.uuid, "/query"), json("POST", body));
  const raw = async (body: unknown) => call(database(account, db.uuid, "/raw"), json("POST", body));
  return { account, db, query, raw };
}

describe("creating a D1 database", () => {
  it("answers with uuid, name, created_at, version and sizes", async () => {
    const account = freshAccount();
    const created = await create(account, "main-db");
    expect(created).toEqual({
      uuid: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      name: "main-db",
      created_at: expect.any(String),
      version: "production",
      file_size: expect.any(Number),
      num_tables: 0,
    });
    expect(Number.isNaN(Date.parse(created.created_at))).toBe(false);
  });

  it("takes a primary location hint", async () => {
    const res = await call(databases(freshAccount()), json("POST", { name: "hinted", primary_location_hint: "weur" }));
    expect((await resultOf<Database>(res)).name).toBe("hinted");
  });

  it("refuses a name that exists in the account with code 7502, creating nothing", async () => {
    const account = freshAccount();
    await create(account, "taken");
    const error = await errorOf(await call(databases(account), json("POST", { name: "taken" })), 400);
    expect(error).toEqual({ code: 7502, message: "A database with that name already exists" });
    expect((await (await call(databases(account))).json<ListBody>()).result).toHaveLength(1);
  });

  it.each(["Upper", "-dash-first", "has space", "dot.name", "", "a".repeat(65)])(
    "refuses the invalid name %j with 400 and code 7400",
    async (name) => {
      const account = freshAccount();
      const error = await errorOf(await call(databases(account), json("POST", { name })), 400);
      expect(error.code).toBe(7400);
      expect((await (await call(databases(account))).json<ListBody>()).result).toEqual([]);
    },
  );

  it.each([
    ["no name", {}],
    ["a name of the wrong type", { name: ["db"] }],
    ["an unknown location hint", { name: "somewhere", primary_location_hint: "mars" }],
  ])("refuses %s with 400 and code 7400", async (_, body) => {
    expect((await errorOf(await call(databases(freshAccount()), json("POST", body)), 400)).code).toBe(7400);
  });

  it("refuses a body that is not JSON with 400 and code 7400", async () => {
    const res = await call(databases(freshAccount()), { method: "POST", body: "{" });
    expect((await errorOf(res, 400)).code).toBe(7400);
  });
});

describe("listing D1 databases", () => {
  it("pages with page and per_page, newest first, and filters by name", async () => {
    const account = freshAccount();
    const names = Array.from({ length: 12 }, (_, i) => `db-${String(i).padStart(2, "0")}`);
    for (const name of names) await create(account, name);
    await create(account, "other");

    const first = await (await call(databases(account, "?per_page=10"))).json<ListBody>();
    expect(first.result_info).toEqual({ page: 1, per_page: 10, count: 10, total_count: 13, total_pages: 2 });
    const second = await (await call(databases(account, "?per_page=10&page=2"))).json<ListBody>();
    expect(second.result_info).toMatchObject({ page: 2, count: 3 });
    const all = [...first.result, ...second.result].map((d) => d.name);
    expect(all).toEqual(["other", ...[...names].reverse()]);
    expect(Object.keys(first.result[0] ?? {}).sort()).toEqual(["created_at", "name", "uuid", "version"]);

    const filtered = await (await call(databases(account, "?name=db-1"))).json<ListBody>();
    expect(filtered.result.map((d) => d.name)).toEqual(["db-11", "db-10"]);
    expect(filtered.result_info).toMatchObject({ total_count: 2, per_page: 1000 });
  });

  it.each(["?per_page=9", "?per_page=10001", "?page=0", "?page=x"])(
    "refuses %s with 400 and code 7400",
    async (query) => {
      expect((await errorOf(await call(databases(freshAccount(), query)), 400)).code).toBe(7400);
    },
  );
});

describe("getting and deleting a D1 database", () => {
  it("reports file size and table count", async () => {
    const { account, db, query } = await scratch();
    await resultOf(await query({ sql: "CREATE TABLE a (x); CREATE TABLE b (y)" }));
    const details = await resultOf<Database>(await call(database(account, db.uuid)));
    expect(details).toMatchObject({ uuid: db.uuid, name: "scratch", version: "production", num_tables: 2 });
    expect(details.file_size).toBeGreaterThan(0);
  });

  it("answers an unknown id with 404 and code 7404, and a malformed one with 400 and code 7400", async () => {
    const account = freshAccount();
    const unknown = crypto.randomUUID();
    expect(await errorOf(await call(database(account, unknown)), 404)).toEqual({
      code: 7404,
      message: `The database ${unknown} could not be found`,
    });
    expect(await errorOf(await call(database(account, "abc-def-geh")), 400)).toEqual({
      code: 7400,
      message: "The request is malformed: failed to decode id",
    });
    expect(
      (await errorOf(await call(database(account, unknown, "/query"), json("POST", { sql: "SELECT 1" })), 404)).code,
    ).toBe(7404);
  });

  it("deletes the database and its data; then it is gone", async () => {
    const { account, db, query } = await scratch();
    await resultOf(await query({ sql: "CREATE TABLE t (x); INSERT INTO t VALUES (1)" }));
    expect(await resultOf(await call(database(account, db.uuid), { method: "DELETE" }))).toBeNull();

    expect((await errorOf(await call(database(account, db.uuid)), 404)).code).toBe(7404);
    expect((await errorOf(await query({ sql: "SELECT 1" }), 404)).code).toBe(7404);
    expect((await errorOf(await call(database(account, db.uuid), { method: "DELETE" }), 404)).code).toBe(7404);
    const object = env.D1_DATABASES.get(env.D1_DATABASES.idFromName(db.uuid));
    expect((await object.stats()).numTables).toBe(0);
    // The name is free again, for a new, empty database.
    const again = await create(account, "scratch");
    expect(again.uuid).not.toBe(db.uuid);
    expect(again.num_tables).toBe(0);
  });

  it("answers an unknown method with 405", async () => {
    const { account, db } = await scratch();
    expect((await errorOf(await call(database(account, db.uuid), { method: "PATCH" }), 405)).code).toBe(10405);
    expect((await errorOf(await call(database(account, db.uuid, "/query")), 405)).code).toBe(10405);
  });
});

describe("querying a D1 database", () => {
  it("answers one result per statement, rows as objects, with meta", async () => {
    const { query } = await scratch();
    const results = await resultOf<QueryResult[]>(
      await query({
        sql: "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ada'), ('bob'); SELECT * FROM users ORDER BY id;",
      }),
    );
    expect(results).toHaveLength(3);
    for (const result of results) expect(result.success).toBe(true);
    const [created, inserted, selected] = results as [QueryResult, QueryResult, QueryResult];
    expect(created.results).toEqual([]);
    expect(inserted.meta).toMatchObject({ changes: 2, last_row_id: 2, changed_db: true, rows_written: 2 });
    expect(selected.results).toEqual([
      { id: 1, name: "ada" },
      { id: 2, name: "bob" },
    ]);
    expect(selected.meta).toMatchObject({ changes: 0, changed_db: false, rows_read: 2, rows_written: 0 });
    expect(selected.meta.size_after).toBeGreaterThan(0);
    expect(selected.meta.duration).toBeGreaterThanOrEqual(0);
  });

  it("binds params to the statement's placeholders, numbered or not", async () => {
    const { query } = await scratch();
    await resultOf(await query({ sql: "CREATE TABLE kv (k TEXT, v INTEGER, flag INTEGER)" }));
    await resultOf(await query({ sql: "INSERT INTO kv VALUES (?, ?, ?)", params: ["a", 1, true] }));
    await resultOf(
      await query({ sql: "INSERT INTO kv VALUES (?1, ?2, ?3)", params: ["b'; DROP TABLE kv; --", 2, null] }),
    );
    const [selected] = await resultOf<QueryResult[]>(
      await query({ sql: "SELECT k, v, flag FROM kv WHERE v >= ? ORDER BY v", params: [1] }),
    );
    expect(selected?.results).toEqual([
      { k: "a", v: 1, flag: 1 },
      { k: "b'; DROP TABLE kv; --", v: 2, flag: null },
    ]);
  });

  it("answers a raw query with columns once and rows as arrays", async () => {
    const { raw } = await scratch();
    const results = await resultOf<RawResult[]>(
      await raw({
        sql: "CREATE TABLE t (a, b); INSERT INTO t VALUES (1, 'x'), (2, 'y'); SELECT a, b FROM t ORDER BY a",
      }),
    );
    expect(results[0]?.results).toEqual({ columns: [], rows: [] });
    expect(results[2]?.results).toEqual({
      columns: ["a", "b"],
      rows: [
        [1, "x"],
        [2, "y"],
      ],
    });
    expect(results[2]?.meta.rows_read).toBeGreaterThanOrEqual(2);
  });

  it("keeps semicolons inside strings, quoted names, comments and trigger bodies", async () => {
    const { query } = await scratch();
    const results = await resultOf<QueryResult[]>(
      await query({
        sql: `CREATE TABLE "odd;name" (v TEXT); -- a comment; with a semicolon
          CREATE TABLE log (v TEXT);
          /* block; comment */
          CREATE TRIGGER copy AFTER INSERT ON "odd;name" BEGIN
            INSERT INTO log VALUES (CASE WHEN NEW.v = 'a;b' THEN 'semi' ELSE 'plain' END);
          END;
          INSERT INTO "odd;name" VALUES ('a;b');
          SELECT v FROM log;`,
      }),
    );
    expect(results).toHaveLength(5);
    expect(results[4]?.results).toEqual([{ v: "semi" }]);
  });

  it("runs a batch, one result per statement", async () => {
    const { query } = await scratch();
    const results = await resultOf<QueryResult[]>(
      await query({
        batch: [
          { sql: "CREATE TABLE t (v)" },
          { sql: "INSERT INTO t VALUES (?)", params: ["one"] },
          { sql: "INSERT INTO t VALUES (?)", params: ["two"] },
          { sql: "SELECT count(*) AS n FROM t" },
        ],
      }),
    );
    expect(results).toHaveLength(4);
    expect(results[3]?.results).toEqual([{ n: 2 }]);
  });

  it("runs a batch all or nothing: a failing statement leaves no change", async () => {
    const { query } = await scratch();
    await resultOf(await query({ sql: "CREATE TABLE t (v UNIQUE); INSERT INTO t VALUES (1)" }));
    const error = await errorOf(
      await query({
        batch: [
          { sql: "INSERT INTO t VALUES (?)", params: [2] },
          { sql: "CREATE TABLE made_in_batch (x)" },
          { sql: "INSERT INTO t VALUES (?)", params: [1] },
        ],
      }),
      400,
    );
    expect(error.code).toBe(7500);
    expect(error.message).toMatch(/UNIQUE constraint failed: t\.v/);
    const [rows] = await resultOf<QueryResult[]>(await query({ sql: "SELECT v FROM t ORDER BY v" }));
    expect(rows?.results).toEqual([{ v: 1 }]);
    expect((await errorOf(await query({ sql: "SELECT * FROM made_in_batch" }), 400)).code).toBe(7500);
  });

  it("runs several statements in one sql all or nothing too", async () => {
    const { query } = await scratch();
    await resultOf(await query({ sql: "CREATE TABLE t (v)" }));
    await errorOf(await query({ sql: "INSERT INTO t VALUES (1); INSERT INTO missing VALUES (2)" }), 400);
    const [rows] = await resultOf<QueryResult[]>(await query({ sql: "SELECT count(*) AS n FROM t" }));
    expect(rows?.results).toEqual([{ n: 0 }]);
  });

  it("answers a SQL error with 400, code 7500 and SQLite's message", async () => {
    const { query } = await scratch();
    expect(await errorOf(await query({ sql: "SELECT * FROM x" }), 400)).toEqual({
      code: 7500,
      message: "no such table: x: SQLITE_ERROR",
    });
    expect((await errorOf(await query({ sql: "SELEC 1" }), 400)).message).toMatch(/syntax error/);
  });

  it("refuses params next to several statements with 400 and code 7400", async () => {
    const { query } = await scratch();
    expect(await errorOf(await query({ sql: "SELECT ?; SELECT 2", params: [1] }), 400)).toEqual({
      code: 7400,
      message: "The request is malformed: params with multiple statements is not supported",
    });
  });

  it("refuses the wrong number of params as a SQL error", async () => {
    const { query } = await scratch();
    expect((await errorOf(await query({ sql: "SELECT ?, ?", params: [1] }), 400)).code).toBe(7500);
  });

  it("refuses transaction statements and internal tables, as D1 does", async () => {
    const { query } = await scratch();
    expect((await errorOf(await query({ sql: "BEGIN TRANSACTION" }), 400)).code).toBe(7500);
    expect((await errorOf(await query({ sql: "CREATE TABLE _cf_mine (x)" }), 400)).code).toBe(7500);
  });

  it.each([
    ["no sql", {}],
    ["sql of the wrong type", { sql: 1 }],
    ["params that are not bindable", { sql: "SELECT ?", params: [{ a: 1 }] }],
    ["an empty batch", { batch: [] }],
  ])("refuses %s with 400 and code 7400", async (_, body) => {
    const { query } = await scratch();
    expect((await errorOf(await query(body), 400)).code).toBe(7400);
  });

  it("refuses sql with no statements in it", async () => {
    const { query } = await scratch();
    expect((await errorOf(await query({ sql: " -- nothing here\n ;; " }), 400)).code).toBe(7500);
  });
});

describe("account isolation", () => {
  it("keeps one account's databases out of another's reach", async () => {
    const { account, db } = await scratch();
    const other = freshAccount();
    expect((await (await call(databases(other))).json<ListBody>()).result).toEqual([]);
    expect((await errorOf(await call(database(other, db.uuid)), 404)).code).toBe(7404);
    expect(
      (await errorOf(await call(database(other, db.uuid, "/query"), json("POST", { sql: "SELECT 1" })), 404)).code,
    ).toBe(7404);
    expect(
      (await errorOf(await call(database(other, db.uuid, "/raw"), json("POST", { sql: "SELECT 1" })), 404)).code,
    ).toBe(7404);
    expect((await errorOf(await call(database(other, db.uuid), { method: "DELETE" }), 404)).code).toBe(7404);
    expect((await resultOf<Database>(await call(database(account, db.uuid)))).uuid).toBe(db.uuid);
    // Names are per account.
    expect((await create(other, "scratch")).name).toBe("scratch");
  });
});

describe("the registry's findMissing", () => {
  it("names the referenced resources the account does not have, each once", async () => {
    const account = freshAccount();
    const kv = await resultOf<{ id: string }>(
      await call(acct("/storage/kv/namespaces", account), json("POST", { title: "present" })),
    );
    await resultOf(await call(acct("/r2/buckets", account), json("POST", { name: "present" })));
    const db = await create(account, "present");
    const store = env.RESOURCES_STORE.get(env.RESOURCES_STORE.idFromName(account));
    const missingKv = "f".repeat(32);
    const missingDb = crypto.randomUUID();

    expect(
      await store.findMissing({
        kvNamespaceIds: [kv.id, missingKv, missingKv],
        r2BucketNames: ["present", "absent"],
        d1DatabaseIds: [db.uuid, missingDb],
      }),
    ).toEqual([
      { kind: "kv_namespace", id: missingKv },
      { kind: "r2_bucket", id: "absent" },
      { kind: "d1", id: missingDb },
    ]);

    const elsewhere = env.RESOURCES_STORE.get(env.RESOURCES_STORE.idFromName(freshAccount()));
    expect(
      await elsewhere.findMissing({ kvNamespaceIds: [kv.id], r2BucketNames: ["present"], d1DatabaseIds: [db.uuid] }),
    ).toHaveLength(3);
    expect(await store.findMissing({ kvNamespaceIds: [], r2BucketNames: [], d1DatabaseIds: [] })).toEqual([]);
  });
});
