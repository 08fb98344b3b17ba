import { env } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { d1Binding } from "../../src/d1/binding";
import { ACCOUNT, acct, call, json, resultOf } from "../helpers";
import { createNamespace, dispatch, uploadScript } from "../tenant";
import { cases } from "./d1.cases.js";
import casesSource from "./d1.cases.js?raw";
import { runCases } from "./run-cases.js";
import { describeConformance, runInTenant, runThroughDispatch } from "./tenant-harness";

declare global {
  namespace Cloudflare {
    interface Env {
      /** miniflare's own D1 binding (vitest.config.ts): what a tenant's binding must answer like. */
      REAL_DB: D1Database;
    }
    interface Exports {
      TenantD1: (options: {
        props: { accountId: string; databaseId: string };
      }) => Fetcher<import("../../src/d1/binding").TenantD1>;
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

describeConformance("a tenant's D1 binding answers as miniflare's real one", cases, async () => {
  const { client } = d1Binding;
  if (client === undefined) throw new Error("the D1 binding ships a client");
  const loadedDatabase = await createDatabase();
  return {
    real: await runCases(cases, env.REAL_DB),
    loaded: await runInTenant({
      casesSource,
      client,
      binding: exports.TenantD1({ props: { accountId: ACCOUNT, databaseId: loadedDatabase } }),
    }),
    dispatched: await runThroughDispatch({
      casesSource,
      binding: "d1",
      resource: async () => ({ database_id: await createDatabase() }),
    }),
  };
});

/** A tenant script that runs `{sql, params}` from the request on its binding and answers the rows, or the error. */
const SQL_RUNNER = `export default {
  async fetch(request, env) {
    const { sql, params } = await request.json();
    try {
      const { results } = await env.DB.prepare(sql).bind(...params).all();
      return Response.json({ results });
    } catch (error) {
      return Response.json({ error: error.message });
    }
  },
};`;

/** Uploads SQL_RUNNER with a D1 binding named DB; the answer runs SQL in it, through the dispatch namespace. */
async function tenantWith(reference: { database_id: string } | { id: string }) {
  const namespace = await createNamespace();
  await uploadScript(namespace, "sql-runner", {
    modules: { "index.js": SQL_RUNNER },
    bindings: [{ type: "d1", name: "DB", ...reference }],
  });
  return async (sql: string, params: unknown[] = []): Promise<unknown> => {
    const request = new Request("http://tenant/", { method: "POST", body: JSON.stringify({ sql, params }) });
    return (await dispatch(namespace, "sql-runner", request)).json();
  };
}

describe("a tenant's D1 binding runs on the database the REST API queries", () => {
  it("reads what the REST API wrote, and the REST API reads what the tenant wrote", async () => {
    const databaseId = await createDatabase();
    await restQuery(databaseId, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)");
    await restQuery(databaseId, "INSERT INTO notes (body) VALUES (?)", ["from rest"]);

    const tenant = await tenantWith({ database_id: databaseId });
    expect(await tenant("SELECT id, body FROM notes")).toEqual({ results: [{ id: 1, body: "from rest" }] });
    expect(await tenant("INSERT INTO notes (body) VALUES (?) RETURNING id", ["from tenant"])).toEqual({
      results: [{ id: 2 }],
    });
    expect(await restQuery(databaseId, "SELECT body FROM notes ORDER BY id")).toEqual([
      { body: "from rest" },
      { body: "from tenant" },
    ]);
  });

  it("takes the database from `id`, the deprecated alias of `database_id`", async () => {
    const databaseId = await createDatabase();
    await restQuery(databaseId, "CREATE TABLE marker (v TEXT)");
    await restQuery(databaseId, "INSERT INTO marker VALUES ('aliased')");
    const tenant = await tenantWith({ id: databaseId });
    expect(await tenant("SELECT v FROM marker")).toEqual({ results: [{ v: "aliased" }] });
  });

  it("fails every query once the database is deleted, and leaves nothing behind", async () => {
    const databaseId = await createDatabase();
    const tenant = await tenantWith({ database_id: databaseId });
    await resultOf(await call(acct(`/d1/database/${databaseId}`), { method: "DELETE" }));

    expect(await tenant("CREATE TABLE resurrected (v)")).toEqual({ error: "D1_ERROR: database not found" });
    const object = env.D1_DATABASES.get(env.D1_DATABASES.idFromName(databaseId));
    expect(await object.stats()).toMatchObject({ numTables: 0 });
  });
});
