import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ACCOUNT, acct, call, errorOf, json, OTHER_ACCOUNT, resultOf } from "./helpers";
import { upload } from "./scripts-helpers";
import { createNamespace, dispatch, uploadScript } from "./tenant";

/**
 * A tenant's D1 binding is scoped by the props the emulator sets from the
 * uploaded binding; the tenant only ever sends SQL. These tests bind a tenant
 * to database A and try every SQL trick and every raw protocol request that
 * could name another database (B, of the same account, and C, of another
 * account), then check through the REST API that B and C are untouched and
 * that nothing of theirs reached the tenant.
 */

const SECRET = "the-secret-of-another-database";

async function createDatabase(accountId: string): Promise<string> {
  const name = `db-${crypto.randomUUID().slice(0, 8)}`;
  const created = await call(acct("/d1/database", accountId), json("POST", { name }));
  return (await resultOf<{ uuid: string }>(created)).uuid;
}

async function restQuery(accountId: string, databaseId: string, sql: string): Promise<unknown[]> {
  const res = await call(acct(`/d1/database/${databaseId}/query`, accountId), json("POST", { sql }));
  return (await resultOf<{ results: unknown[] }[]>(res)).flatMap((r) => r.results);
}

/** A database holding a secret, and everything it holds, to compare before and after. */
async function databaseWithSecret(accountId: string) {
  const id = await createDatabase(accountId);
  await restQuery(accountId, id, "CREATE TABLE secrets (v TEXT)");
  await restQuery(accountId, id, `INSERT INTO secrets VALUES ('${SECRET}')`);
  const contents = async () => ({
    tables: await restQuery(accountId, id, "SELECT name, sql FROM sqlite_master ORDER BY name"),
    rows: await restQuery(accountId, id, "SELECT v FROM secrets ORDER BY rowid"),
  });
  return { id, before: await contents(), contents };
}

/**
 * A tenant script that runs each attempt it is sent on its D1 binding, by
 * the way the attempt names (`all`, `exec`, `batch`, or `wire`: a request
 * of its own making to the binding's fetcher, bypassing the client), and
 * answers every outcome.
 */
const TRICKSTER = {
  "index.js": `export default {
    async fetch(request, env) {
      const attempts = await request.json();
      const outcomes = [];
      for (const { via, sql, params = [], body, path = "/query", headers = {} } of attempts) {
        try {
          if (via === "all") outcomes.push(await env.DB.prepare(sql).bind(...params).all());
          else if (via === "exec") outcomes.push(await env.DB.exec(sql));
          else if (via === "batch") outcomes.push(await env.DB.batch(sql.map((s) => env.DB.prepare(s))));
          else {
            const res = await env.DB.fetcher.fetch("http://d1" + path, {
              method: "POST", headers, body: JSON.stringify(body),
            });
            outcomes.push({ status: res.status, body: await res.text() });
          }
        } catch (error) {
          outcomes.push({ error: error.message });
        }
      }
      return Response.json(outcomes);
    },
  };`,
};

type Attempt =
  | { via: "all"; sql: string; params?: unknown[] }
  | { via: "exec"; sql: string }
  | { via: "batch"; sql: string[] }
  | { via: "wire"; body: unknown; path?: string; headers?: Record<string, string> };

async function tenantBoundTo(databaseId: string) {
  const namespace = await createNamespace();
  await uploadScript(namespace, "tenant-a", {
    modules: TRICKSTER,
    bindings: [{ type: "d1", name: "DB", database_id: databaseId }],
  });
  return async (attempts: Attempt[]): Promise<unknown[]> => {
    const res = await dispatch(
      namespace,
      "tenant-a",
      new Request("http://tenant/", { method: "POST", body: JSON.stringify(attempts) }),
    );
    return res.json();
  };
}

/** The SQLite authorizer's refusal, as the binding reports it. */
const NOT_AUTHORIZED = { error: "D1_ERROR: not authorized: SQLITE_AUTH" };

describe("a tenant bound to database A cannot reach any other database", () => {
  it("refuses ATTACH, other schemas, PRAGMAs and storage internals, and sees only A", async () => {
    const a = await createDatabase(ACCOUNT);
    const b = await databaseWithSecret(ACCOUNT);
    const c = await databaseWithSecret(OTHER_ACCOUNT);
    const run = await tenantBoundTo(a);
    await run([{ via: "all", sql: "CREATE TABLE mine (v TEXT)" }]);

    const names = [b.id, c.id, env.D1_DATABASES.idFromName(b.id).toString(), "other.sqlite", ":memory:", ""];
    const attaches = names.flatMap((name): Attempt[] => [
      { via: "all", sql: `ATTACH DATABASE '${name}' AS other` },
      { via: "all", sql: "ATTACH DATABASE ? AS other", params: [name] },
      { via: "all", sql: `ATTACH '${name}' AS other; SELECT v FROM other.secrets` },
    ]);
    expect(await run(attaches)).toEqual(attaches.map(() => NOT_AUTHORIZED));

    const outcomes = await run([
      { via: "exec", sql: `ATTACH DATABASE '${b.id}' AS other` },
      { via: "batch", sql: [`ATTACH DATABASE '${c.id}' AS other`, "SELECT v FROM other.secrets"] },
      { via: "all", sql: "PRAGMA database_list" },
      { via: "all", sql: `SELECT * FROM "${b.id}".sqlite_master` },
      { via: "all", sql: "SELECT v FROM secrets" },
      { via: "all", sql: "INSERT INTO secrets VALUES ('from a tenant')" },
      { via: "all", sql: "SELECT * FROM _cf_METADATA" },
      { via: "all", sql: "SELECT * FROM _cf_KV" },
      { via: "all", sql: "CREATE TABLE _cf_KV (key TEXT, value BLOB)" },
      { via: "all", sql: "PRAGMA writable_schema = ON" },
      { via: "all", sql: "SELECT load_extension('libsqlite')" },
      { via: "all", sql: "VACUUM INTO 'copy.sqlite'" },
    ]);
    expect(outcomes).toEqual([
      { error: `D1_EXEC_ERROR: Error in line 1: ATTACH DATABASE '${b.id}' AS other: not authorized: SQLITE_AUTH` },
      NOT_AUTHORIZED,
      NOT_AUTHORIZED,
      { error: `D1_ERROR: no such table: ${b.id}.sqlite_master: SQLITE_ERROR` },
      { error: "D1_ERROR: no such table: secrets: SQLITE_ERROR" },
      { error: "D1_ERROR: no such table: secrets: SQLITE_ERROR" },
      { error: "D1_ERROR: access to _cf_METADATA.key is prohibited: SQLITE_AUTH" },
      { error: "D1_ERROR: no such table: _cf_KV: SQLITE_ERROR" },
      NOT_AUTHORIZED,
      NOT_AUTHORIZED,
      { error: "D1_ERROR: not authorized: SQLITE_ERROR" },
      { error: "D1_ERROR: cannot VACUUM from within a transaction: SQLITE_ERROR" },
    ]);

    const [schema] = (await run([
      { via: "all", sql: "SELECT name FROM sqlite_master WHERE name NOT LIKE '\\_cf\\_%' ESCAPE '\\'" },
    ])) as { results: unknown[] }[];
    expect(schema?.results).toEqual([{ name: "mine" }]);

    expect(JSON.stringify([outcomes, schema])).not.toContain(SECRET);
    expect(await b.contents()).toEqual(b.before);
    expect(await c.contents()).toEqual(c.before);
  });

  it("ignores whatever a request to the binding's fetcher adds: the props alone name the database", async () => {
    const a = await createDatabase(ACCOUNT);
    await restQuery(ACCOUNT, a, "CREATE TABLE secrets (v TEXT)");
    await restQuery(ACCOUNT, a, "INSERT INTO secrets VALUES ('a')");
    const b = await databaseWithSecret(ACCOUNT);
    const run = await tenantBoundTo(a);

    const select = { sql: "SELECT v FROM secrets" };
    const outcomes = (await run([
      { via: "wire", body: { ...select, databaseId: b.id, database_id: b.id, accountId: OTHER_ACCOUNT } },
      { via: "wire", body: [select], path: `/query?databaseId=${b.id}&resultsFormat=ARRAY_OF_OBJECTS` },
      { via: "wire", body: select, path: `/${b.id}/query` },
      { via: "wire", body: select, path: `/query/../${b.id}/query` },
      { via: "wire", body: select, headers: { "x-cf-d1-session-commit-token": b.id, "cf-d1-database": b.id } },
      { via: "wire", body: { sql: `INSERT INTO secrets VALUES ('${b.id}')` }, path: "/execute" },
    ])) as { status: number; body: string }[];

    const answers = outcomes.map(({ status, body }) => ({ status, body: body === "" ? null : JSON.parse(body) }));
    const rowsOfA = [{ success: true, results: [{ v: "a" }], meta: expect.any(Object) }];
    expect(answers).toEqual([
      { status: 200, body: rowsOfA },
      { status: 200, body: rowsOfA },
      { status: 404, body: null },
      { status: 404, body: null },
      { status: 200, body: rowsOfA },
      { status: 200, body: [expect.objectContaining({ success: true })] },
    ]);
    expect(await restQuery(ACCOUNT, a, "SELECT v FROM secrets ORDER BY rowid")).toEqual([{ v: "a" }, { v: b.id }]);
    expect(await b.contents()).toEqual(b.before);
  });

  it("cannot be bound by id to a database of another account", async () => {
    const c = await databaseWithSecret(OTHER_ACCOUNT);
    const namespace = await createNamespace();
    for (const reference of [{ database_id: c.id }, { id: c.id }]) {
      const metadata = { main_module: "index.js", bindings: [{ type: "d1" as const, name: "DB", ...reference }] };
      const res = await upload(namespace, "guesser", metadata, { "index.js": { code: TRICKSTER["index.js"] } });
      expect((await errorOf(res, 400)).code).toBe(10181);
    }
    await expect(dispatch(namespace, "guesser", "http://tenant/")).rejects.toThrow("Worker not found");
    expect(await c.contents()).toEqual(c.before);
  });

  it("keeps tenants apart that use the same table names in their own databases", async () => {
    const [first, second] = [await createDatabase(ACCOUNT), await createDatabase(ACCOUNT)];
    const runFirst = await tenantBoundTo(first);
    const runSecond = await tenantBoundTo(second);
    await runFirst([{ via: "exec", sql: "CREATE TABLE shared (v TEXT)\nINSERT INTO shared VALUES ('first')" }]);
    await runSecond([{ via: "exec", sql: "CREATE TABLE shared (v TEXT)\nINSERT INTO shared VALUES ('second')" }]);
    const read = async (run: typeof runFirst) =>
      ((await run([{ via: "all", sql: "SELECT v FROM shared" }])) as { results: unknown[] }[])[0]?.results;
    expect(await read(runFirst)).toEqual([{ v: "first" }]);
    expect(await read(runSecond)).toEqual([{ v: "second" }]);
  });
});
