import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { SqlAnswer } from "../../cloudflare-api/analytics-engine-sql";
import { parseQuery } from "../src/analytics-engine/sql/parse";
import { translate } from "../src/analytics-engine/sql/translate";
import { acct, call, OTHER_ACCOUNT } from "./helpers";

/** A fresh account: each test's points are its own. */
const freshAccount = () => crypto.randomUUID().replaceAll("-", "");

const NOW = Date.UTC(2026, 11, 6, 12, 0, 0);

/** Stores points as a Worker's writeDataPoint would, at the given times (ms). */
async function record(
  accountId: string,
  dataset: string,
  points: { at: number; index: string; blobs: string[]; doubles: number[] }[],
) {
  const store = env.ANALYTICS.get(env.ANALYTICS.idFromName(accountId));
  for (const p of points) {
    await store.record({
      dataset,
      script: "writer",
      timestamp: p.at,
      indexes: [p.index],
      blobs: p.blobs,
      doubles: p.doubles,
    });
  }
}

const sql = (accountId: string, query: string, token?: string | null) =>
  call(acct("/analytics_engine/sql", accountId), {
    method: "POST",
    body: query,
    ...(token === undefined ? {} : { token }),
  });

async function answer(accountId: string, query: string): Promise<SqlAnswer> {
  const res = await sql(accountId, query);
  expect(res.status, await res.clone().text()).toBe(200);
  return res.json<SqlAnswer>();
}

async function refusal(query: string): Promise<string> {
  const res = await sql(freshAccount(), query);
  expect(res.status).toBe(422);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
  return res.text();
}

describe("the SQL translator", () => {
  it("binds every literal as a parameter: the query's text never reaches SQLite", () => {
    const hostile = "x' OR 1=1; DROP TABLE points; --";
    const query = parseQuery(
      `SELECT blob1 FROM wfp_requests WHERE blob1 = '${hostile.replaceAll("'", "''")}' AND double1 > 4`,
    );
    const { sql, params } = translate(query as Extract<typeof query, { kind: "select" }>, 0);
    expect(params).toEqual(["wfp_requests", hostile, 4]);
    expect(sql).not.toContain("DROP");
    expect(sql).not.toContain("wfp_requests");
    expect(sql.match(/\?/g)).toHaveLength(params.length);
  });

  it("reads aliases where ClickHouse does: WHERE, GROUP BY and ORDER BY", () => {
    const query = parseQuery(
      "SELECT index1 AS tenant, count() AS n FROM d WHERE tenant != '' GROUP BY tenant ORDER BY n DESC",
    );
    const { columns } = translate(query as Extract<typeof query, { kind: "select" }>, 0);
    expect(columns).toEqual([
      { name: "tenant", type: "String" },
      { name: "n", type: "UInt64" },
    ]);
  });
});

describe("POST /accounts/{account_id}/analytics_engine/sql", () => {
  it("counts requests and errors per tenant, weighted by _sample_interval, over a time range", async () => {
    const account = freshAccount();
    const hour = 3_600_000;
    await record(account, "wfp_requests", [
      { at: NOW - 2 * hour, index: "acme", blobs: ["acme", "acme", "free", "ok"], doubles: [200] },
      { at: NOW - 10_000, index: "acme", blobs: ["acme", "acme", "free", "ok"], doubles: [200] },
      { at: NOW - 9_000, index: "acme", blobs: ["acme", "acme", "free", "ok"], doubles: [503] },
      { at: NOW - 8_000, index: "acme", blobs: ["acme", "acme", "free", "limit_exceeded"], doubles: [503] },
      { at: NOW - 7_000, index: "shop", blobs: ["shop", "shop", "pro", "ok"], doubles: [404] },
      { at: NOW - 6_000, index: "other", blobs: ["other", "other", "pro", "ok"], doubles: [200] },
    ]);
    await record(account, "tenant_acme", [{ at: NOW - 5_000, index: "acme", blobs: ["/"], doubles: [200] }]);
    const since = Math.floor((NOW - hour) / 1000);
    const body = await answer(
      account,
      `SELECT index1 AS tenant, sum(_sample_interval) AS requests,
         sum(if(blob4 != 'ok' OR double1 >= 500, _sample_interval, 0)) AS errors
       FROM wfp_requests
       WHERE index1 IN ('acme', 'shop') AND timestamp >= toDateTime(${since}) AND timestamp < toDateTime('2026-12-06 12:00:01')
       GROUP BY index1 HAVING requests > 0 ORDER BY tenant
       FORMAT JSON`,
    );
    expect(body).toEqual({
      meta: [
        { name: "tenant", type: "String" },
        { name: "requests", type: "UInt64" },
        { name: "errors", type: "UInt64" },
      ],
      data: [
        { tenant: "acme", requests: "3", errors: "2" },
        { tenant: "shop", requests: "1", errors: "0" },
      ],
      rows: 2,
    });
  });

  it("buckets by toStartOfInterval, writes DateTime as ClickHouse does, and honours ORDER BY, LIMIT and OFFSET", async () => {
    const account = freshAccount();
    const minute = 60_000;
    const base = Date.UTC(2026, 0, 1, 10, 0, 0);
    await record(account, "d", [
      { at: base + 10_000, index: "t", blobs: [], doubles: [10] },
      { at: base + 70_000, index: "t", blobs: [], doubles: [30] },
      { at: base + 2 * minute + 1, index: "t", blobs: [], doubles: [50] },
      { at: base + 2 * minute + 2, index: "t", blobs: [], doubles: [70] },
    ]);
    const body = await answer(
      account,
      `SELECT toStartOfInterval(timestamp, INTERVAL '1' MINUTE) AS minute, count() AS n, avg(double1) AS mean, max(double1)
       FROM d GROUP BY minute ORDER BY minute DESC LIMIT 2 OFFSET 1`,
    );
    expect(body.meta).toEqual([
      { name: "minute", type: "DateTime" },
      { name: "n", type: "UInt64" },
      { name: "mean", type: "Float64" },
      { name: "max(double1)", type: "Float64" },
    ]);
    expect(body.data).toEqual([
      { minute: "2026-01-01 10:01:00", n: "1", mean: 30, "max(double1)": 30 },
      { minute: "2026-01-01 10:00:00", n: "1", mean: 10, "max(double1)": 10 },
    ]);
    expect(body.rows_before_limit_at_least).toBe(3);
  });

  it("answers quantileExactWeighted (and quantileWeighted) as whole columns, per group", async () => {
    const account = freshAccount();
    await record(account, "latency", [
      { at: NOW, index: "a", blobs: ["a"], doubles: [70, 1] },
      { at: NOW, index: "a", blobs: ["a"], doubles: [10, 1] },
      { at: NOW, index: "a", blobs: ["a"], doubles: [50, 1] },
      { at: NOW, index: "a", blobs: ["a"], doubles: [30, 1] },
      { at: NOW, index: "b", blobs: ["b"], doubles: [5, 3] },
      { at: NOW, index: "b", blobs: ["b"], doubles: [900, 1] },
    ]);
    const body = await answer(
      account,
      `SELECT blob1 AS tenant, quantileExactWeighted(0.5)(double1, _sample_interval) AS p50,
         quantileExactWeighted(0.95)(double1, _sample_interval) AS p95, quantileWeighted(0.5, double1, double2) AS weighted
       FROM latency GROUP BY tenant ORDER BY tenant`,
    );
    expect(body.meta.map((column) => column.type)).toEqual(["String", "Float64", "Float64", "Float64"]);
    expect(body.data).toEqual([
      { tenant: "a", p50: 30, p95: 70, weighted: 30 },
      { tenant: "b", p50: 5, p95: 900, weighted: 5 },
    ]);
    expect(await refusal("SELECT quantileExactWeighted(0.5)(double1, _sample_interval) * 2 FROM d")).toContain(
      "only as a whole column",
    );
    expect(await refusal("SELECT quantileExactWeighted(2)(double1, _sample_interval) FROM d")).toContain(
      "level from 0 to 1",
    );
    expect(await refusal("SELECT topK(3)(blob1) FROM d")).toBe("unsupported function: topK(...)(...)");
  });

  it("compares timestamp with NOW() - INTERVAL and with a time written as a string, reads an alias in WHERE, and answers JSONEachRow", async () => {
    const account = freshAccount();
    await record(account, "recent", [
      { at: Date.now() - 2 * 86_400_000, index: "old", blobs: ["old"], doubles: [] },
      { at: Date.now() - 60_000, index: "new", blobs: ["new"], doubles: [] },
    ]);
    const res = await sql(
      account,
      "SELECT blob1 AS b, double3 FROM recent WHERE timestamp > NOW() - INTERVAL '1' DAY AND timestamp >= '2020-01-01 00:00:00' AND b != 'x' FORMAT JSONEachRow",
    );
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"b":"new","double3":0}\n');
  });

  it("answers an unknown dataset with no rows, and keeps accounts apart", async () => {
    const account = freshAccount();
    await record(account, "mine", [{ at: NOW, index: "x", blobs: ["secret"], doubles: [] }]);
    expect((await answer(account, "SELECT blob1 FROM nothing_here")).data).toEqual([]);
    expect((await answer(OTHER_ACCOUNT, "SELECT blob1 FROM mine")).data).toEqual([]);
    expect((await answer(account, "SELECT count() AS n FROM nothing_here")).data).toEqual([{ n: "0" }]);
    expect((await answer(account, "SHOW TABLES")).data).toEqual([{ dataset: "mine" }]);
    expect((await answer(account, "SELECT 'Hello Workers Analytics Engine' AS message")).data).toEqual([
      { message: "Hello Workers Analytics Engine" },
    ]);
  });

  it("refuses what is outside the subset with a 422 naming it", async () => {
    expect(await refusal("SELECT argMax(blob1, double1) FROM d")).toBe("unsupported function: argMax");
    expect(await refusal("SELECT sqlite_version()")).toBe("unsupported function: sqlite_version");
    expect(await refusal("SELECT load_extension('x') FROM d")).toContain("load_extension");
    expect(await refusal("SELECT blob1 FROM d; DROP TABLE points")).toContain("DROP");
    expect(await refusal("SELECT * FROM d UNION SELECT * FROM e")).toContain("more than one dataset");
    expect(await refusal("SELECT * FROM (SELECT 1)")).toContain("subquery");
    expect(await refusal('SELECT "blob1" FROM d')).toContain("unexpected character");
    expect(await refusal("SELECT seq FROM d")).toBe("unknown column: seq");
    expect(await refusal("SELECT blob21 FROM d")).toBe("unknown column: blob21");
    expect(await refusal("SELECT blob1 FROM d WHERE blob1 = 4")).toContain("cannot compare String with UInt8");
    expect(await refusal("SELECT blob1, count() FROM d")).toContain("blob1 is neither in GROUP BY");
    expect(await refusal("SELECT blob1 FROM d WHERE count() > 1")).toContain("aggregate function count() in WHERE");
    expect(await refusal("SELECT count() AS n FROM d GROUP BY blob1 HAVING double1 > 1")).toContain(
      "double1 is neither in GROUP BY",
    );
    expect(await refusal("SELECT CASE WHEN 1 THEN 2 END")).toContain("CASE");
    expect(await refusal("SELECT 1 FORMAT CSV")).toContain("unsupported format: CSV");
    expect(await refusal(`SELECT ${"(".repeat(100)}1${")".repeat(100)}`)).toContain("nested");
    expect(await refusal("")).toBe("empty query");
    expect(await refusal("SELECT min(INTERVAL '1' DAY) FROM d")).toContain("an INTERVAL here is not supported");
    expect(await refusal("SELECT blob1 FROM d WHERE INTERVAL '1' DAY")).toContain("an INTERVAL here is not supported");
    expect(await refusal("SELECT blob1 + INTERVAL '1' DAY FROM d")).toContain("unsupported: String + Interval");
    expect(await refusal("SELECT 1e400")).toContain("number out of range");
  });

  it("answers any text with a result or a 422, never an internal error", async () => {
    // Token soup from a fixed seed: every run sends the same 300 queries.
    const pieces = [
      "SELECT",
      "FROM",
      "d",
      "WHERE",
      "GROUP BY",
      "ORDER BY",
      "LIMIT",
      "(",
      ")",
      ",",
      "*",
      "-",
      "/",
      "blob1",
      "double1",
      "timestamp",
      "index1",
      "count()",
      "sum(",
      "if(",
      "toStartOfInterval(",
      "INTERVAL '1' DAY",
      "NOW()",
      "'x''y'",
      "'\\'",
      "1",
      "0",
      "1e308",
      ".5",
      "=",
      "<",
      "AND",
      "OR",
      "NOT",
      "IN",
      "AS",
      "a",
      ";",
      "--",
      "/*",
      "DISTINCT",
      "FORMAT JSON",
      "quantileExactWeighted(0.5)",
      "\u0000",
      "é",
    ];
    let seed = 42;
    const next = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed;
    };
    const account = freshAccount();
    await record(account, "d", [{ at: NOW, index: "i", blobs: ["b"], doubles: [1] }]);
    for (let i = 0; i < 300; i++) {
      const length = 1 + (next() % 12);
      const query = Array.from({ length }, () => pieces[next() % pieces.length]).join(" ");
      const res = await sql(account, i % 2 === 0 ? `SELECT ${query}` : query);
      expect([200, 422], query).toContain(res.status);
      // A refusal is the translator's, naming the part: never SQLite failing on SQL the translator wrote.
      if (res.status === 422) expect(await res.text(), query).not.toMatch(/^query failed/);
      else await res.body?.cancel();
    }
  });

  it("asks for a token as the rest of the API does", async () => {
    expect((await sql(freshAccount(), "SELECT 1", null)).status).toBe(400);
    expect((await sql(freshAccount(), "SELECT 1", "wrong-token")).status).toBe(403);
  });
});
