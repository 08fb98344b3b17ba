import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { acct, call, json, resultOf } from "../helpers";
import { createNamespace, dispatch, uploadScript } from "../tenant";
import { cases } from "./d1.cases.js";
import casesSource from "./d1.cases.js?raw";
import { runCases } from "./run-cases.js";
import runCasesSource from "./run-cases.js?raw";
import { describeConformance } from "./tenant-harness";

declare global {
  namespace Cloudflare {
    interface Env {
      /** miniflare's own D1 binding (vitest.config.ts): what a tenant's binding must answer like. */
      REAL_DB: D1Database;
    }
  }
}

/** A D1 database of the test account, created through the REST API. */
async function createDatabase(): Promise<string> {
  const name = `db-${crypto.randomUUID().slice(0, 8)}`;
  const created = await resultOf<{ uuid: string }>(await call(acct("/d1/database"), json("POST", { name })));
  return created.uuid;
}

/** Runs SQL through the REST API's `/query` and gives the first statement's rows. */
async function restQuery(databaseId: string, sql: string, params: unknown[] = []): Promise<unknown[]> {
  const res = await call(acct(`/d1/database/${databaseId}/query`), json("POST", { sql, params }));
  const [first] = await resultOf<{ results: unknown[] }[]>(res);
  return first?.results ?? [];
}

/**
 * Uploads a script through the REST API with a D1 binding named DB and
 * dispatches one request to it through the namespace, as the dispatcher would.
 */
async function runTenant(
  modules: Record<string, string>,
  binding: Record<string, unknown>,
  request: Request | string = "http://tenant/",
): Promise<Response> {
  const namespace = await createNamespace();
  await uploadScript(namespace, "d1-tenant", { modules, bindings: [{ type: "d1", name: "DB", ...binding }] });
  return dispatch(namespace, "d1-tenant", request);
}

const CASES_HARNESS = `import { cases } from "./cases.js";
import { runCases } from "./run-cases.js";
export default {
  async fetch(request, env) {
    return Response.json(await runCases(cases, env.DB));
  },
};`;

describeConformance("a tenant's D1 binding answers as miniflare's real one", cases, async () => {
  const databaseId = await createDatabase();
  const res = await runTenant(
    { "index.js": CASES_HARNESS, "cases.js": casesSource, "run-cases.js": runCasesSource },
    { database_id: databaseId },
  );
  if (!res.ok) throw new Error(`the tenant script failed: ${res.status} ${await res.text()}`);
  return { real: await runCases(cases, env.REAL_DB), tenant: await res.json() };
});

/** A tenant script that runs `{sql, params}` from the request on its binding and answers the rows. */
const SQL_RUNNER = {
  "index.js": `export default {
    async fetch(request, env) {
      const { sql, params = [] } = await request.json();
      try {
        const { results } = await env.DB.prepare(sql).bind(...params).all();
        return Response.json({ results });
      } catch (error) {
        return Response.json({ error: error.message });
      }
    },
  };`,
};
const sqlRequest = (sql: string, params: unknown[] = []) =>
  new Request("http://tenant/", { method: "POST", body: JSON.stringify({ sql, params }) });

describe("a tenant's D1 binding runs on the database the REST API queries", () => {
  it("reads what the REST API wrote, and the REST API reads what the tenant wrote", async () => {
    const databaseId = await createDatabase();
    await restQuery(databaseId, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)");
    await restQuery(databaseId, "INSERT INTO notes (body) VALUES (?)", ["from rest"]);

    const namespace = await createNamespace();
    await uploadScript(namespace, "notes", {
      modules: SQL_RUNNER,
      bindings: [{ type: "d1", name: "DB", database_id: databaseId }],
    });
    const read = await dispatch(namespace, "notes", sqlRequest("SELECT id, body FROM notes"));
    expect(await read.json()).toEqual({ results: [{ id: 1, body: "from rest" }] });

    const write = await dispatch(
      namespace,
      "notes",
      sqlRequest("INSERT INTO notes (body) VALUES (?) RETURNING id", ["from tenant"]),
    );
    expect(await write.json()).toEqual({ results: [{ id: 2 }] });
    expect(await restQuery(databaseId, "SELECT body FROM notes ORDER BY id")).toEqual([
      { body: "from rest" },
      { body: "from tenant" },
    ]);
  });

  it("takes the database from `id`, the deprecated alias of `database_id`", async () => {
    const databaseId = await createDatabase();
    await restQuery(databaseId, "CREATE TABLE marker (v TEXT)");
    await restQuery(databaseId, "INSERT INTO marker VALUES ('aliased')");
    const res = await runTenant(SQL_RUNNER, { id: databaseId }, sqlRequest("SELECT v FROM marker"));
    expect(await res.json()).toEqual({ results: [{ v: "aliased" }] });
  });

  it("fails every query once the database is deleted, and leaves nothing behind", async () => {
    const databaseId = await createDatabase();
    const namespace = await createNamespace();
    await uploadScript(namespace, "orphan", {
      modules: SQL_RUNNER,
      bindings: [{ type: "d1", name: "DB", database_id: databaseId }],
    });
    await resultOf(await call(acct(`/d1/database/${databaseId}`), { method: "DELETE" }));

    const res = await dispatch(namespace, "orphan", sqlRequest("CREATE TABLE resurrected (v)"));
    expect(await res.json()).toEqual({ error: "D1_ERROR: database not found" });
    const object = env.D1_DATABASES.get(env.D1_DATABASES.idFromName(databaseId));
    expect(await object.stats()).toMatchObject({ numTables: 0 });
  });
});
