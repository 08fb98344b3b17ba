import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../cloudflare-api/error-codes";
import { acct, call, errorOf, json, resultOf } from "./helpers";
import { createNamespace, dispatch, uploadScript } from "./tenant";

// A D1 statement runs on the thread the REST API and every tenant share, so one that never ends
// would hold them all. D1 ends a statement past its limit (30 s; the tests' config makes it 2 s)
// with this error, and the database answers the next query as before.
const TIME_LIMIT = "D1 DB exceeded its CPU time limit and was reset.";

/** Counts for ever, answering every thousandth number: a statement that never ends on its own. */
const ENDLESS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT x FROM c WHERE x % 1000 = 0";

async function createDatabase(): Promise<string> {
  const name = `limits-${crypto.randomUUID().slice(0, 8)}`;
  return (await resultOf<{ uuid: string }>(await call(acct("/d1/database"), json("POST", { name })))).uuid;
}

const query = (databaseId: string, sql: string) =>
  call(acct(`/d1/database/${databaseId}/query`), json("POST", { sql }));

describe("a D1 statement that runs past D1's time limit", () => {
  it("fails through the REST API with D1's error, and the database keeps its data and answers", async () => {
    const databaseId = await createDatabase();
    await resultOf(await query(databaseId, "CREATE TABLE kept (v TEXT); INSERT INTO kept VALUES ('before')"));

    const error = await errorOf(await query(databaseId, `INSERT INTO kept VALUES ('undone'); ${ENDLESS}`), 400);
    expect(error).toEqual({ code: ErrorCode.d1QueryError, message: TIME_LIMIT });

    // The query's transaction was undone as a whole: its INSERT is not kept.
    const after = await resultOf<{ results: unknown[] }[]>(await query(databaseId, "SELECT v FROM kept"));
    expect(after[0]?.results).toEqual([{ v: "before" }]);
  });

  it("fails in a tenant's binding with D1's D1_ERROR, and the tenant's next query is answered", async () => {
    const databaseId = await createDatabase();
    const namespace = await createNamespace();
    await uploadScript(namespace, "looping-db", {
      modules: {
        "index.js": `export default {
          async fetch(request, env) {
            const outcomes = [];
            for (const sql of await request.json()) {
              try {
                outcomes.push((await env.DB.prepare(sql).all()).results);
              } catch (error) {
                outcomes.push({ error: error.message });
              }
            }
            return Response.json(outcomes);
          },
        };`,
      },
      bindings: [{ type: "d1", name: "DB", database_id: databaseId }],
    });

    const res = await dispatch(
      namespace,
      "looping-db",
      new Request("http://tenant/", { method: "POST", body: JSON.stringify([ENDLESS, "SELECT 1 AS one"]) }),
    );
    expect(await res.json()).toEqual([{ error: `D1_ERROR: ${TIME_LIMIT}` }, [{ one: 1 }]]);
  });
});
