import { env } from "cloudflare:test";
import { it } from "vitest";

const db = (env as unknown as { REAL_DB: D1Database }).REAL_DB;
async function t(label: string, f: () => Promise<unknown>) {
  try {
    const v = await f();
    console.log(label, "=>", JSON.stringify(v));
  } catch (e) {
    const err = e as Error;
    console.log(
      label,
      "THREW",
      err?.constructor?.name,
      JSON.stringify(err?.message),
      err?.cause ? JSON.stringify((err.cause as Error).message) : "",
    );
  }
}
it("probe", async () => {
  console.log(
    "flag",
    JSON.stringify((globalThis as any).Cloudflare?.compatibilityFlags?.d1_binding_jsrpc),
    Object.keys((globalThis as any).Cloudflare?.compatibilityFlags ?? {}).length,
  );
  console.log("ctor", db.constructor.name, Object.getOwnPropertyNames(Object.getPrototypeOf(db)), Object.keys(db));
  await t("create", () => db.prepare("CREATE TABLE p1 (id INTEGER PRIMARY KEY, name TEXT, data BLOB, n REAL)").run());
  await t("insert", () =>
    db
      .prepare("INSERT INTO p1 (name, data, n) VALUES (?, ?, ?)")
      .bind("a", new Uint8Array([1, 2, 3]), 1.5)
      .run(),
  );
  await t("all", () => db.prepare("SELECT * FROM p1").all());
  await t("multi", () => db.prepare("SELECT 1 AS a; SELECT 2 AS b").all());
  await t("multi-run", () =>
    db.prepare("INSERT INTO p1 (name) VALUES ('x'); INSERT INTO p1 (name) VALUES ('y')").run(),
  );
  await t("empty", () => db.prepare("").all());
  await t("comment", () => db.prepare("-- hi").all());
  await t("comment2", () => db.prepare(" -- hi").all());
  await t("prep-num", () => db.prepare(123 as any).all());
  await t("prep-undef", () => (db.prepare as any)().all());
  await t("nan", () => db.prepare("SELECT ? AS v").bind(NaN).all());
  await t("bigint", async () =>
    db
      .prepare("SELECT ? AS v")
      .bind(1n as any)
      .all(),
  );
  await t("undef", async () =>
    db
      .prepare("SELECT ? AS v")
      .bind(undefined as any)
      .all(),
  );
  await t("too-few", async () => db.prepare("SELECT ? AS v, ? AS w").bind(1).all());
  await t("too-many", async () => db.prepare("SELECT ? AS v").bind(1, 2).all());
  await t("named", async () => db.prepare("SELECT :a AS v").bind(1).all());
  await t("numbered", async () => db.prepare("SELECT ?2 AS v, ?1 AS w").bind(1, 2).all());
  await t("exec", () => db.exec("CREATE TABLE e1 (x);\nINSERT INTO e1 VALUES (1);\n\nINSERT INTO e1 VALUES (2)"));
  await t("exec-multi", () => db.exec("INSERT INTO e1 VALUES (3); INSERT INTO e1 VALUES (4)"));
  await t("exec-sel", () => db.prepare("SELECT * FROM e1").raw());
  await t("exec-err", () => db.exec("INSERT INTO e1 VALUES (5)\nINSERT INTO nope VALUES (1)"));
  await t("exec-sel2", () => db.prepare("SELECT * FROM e1").raw());
  await t("exec-empty", () => db.exec(""));
  await t("exec-comment", () => db.exec("-- c\nSELECT 1"));
  await t("attach", () => db.exec("ATTACH DATABASE 'x.db' AS x"));
  await t("attach2", () => db.prepare("ATTACH DATABASE ? AS x").bind("other").run());
  await t("cf", () => db.prepare("SELECT * FROM _cf_KV").all());
  await t("cf-meta", () => db.prepare("SELECT * FROM _cf_METADATA").all());
  await t("master", () => db.prepare("SELECT name FROM sqlite_master").all());
  await t("pragma-list", () => db.prepare("PRAGMA database_list").all());
  await t("pragma-tl", () => db.prepare("PRAGMA table_list").all());
  await t("pragma-ti", () => db.prepare("PRAGMA table_info(p1)").all());
  await t("pragma-fk", () => db.prepare("PRAGMA foreign_keys").all());
  await t("pragma-jm", () => db.prepare("PRAGMA journal_mode").all());
  await t("dump", async () => {
    const b = await db.dump();
    return new TextDecoder().decode(b).slice(0, 200);
  });
  await t("session", async () => {
    const s = db.withSession();
    const r = await s.prepare("SELECT 1 AS a").all();
    return [Object.getOwnPropertyNames(Object.getPrototypeOf(s)), s.getBookmark(), r];
  });
  await t("session-primary", async () => {
    const s = db.withSession("first-primary");
    const r = await s.prepare("SELECT 1 AS a").all();
    return [s.getBookmark(), r.meta];
  });
  await t("query", () => (db as any).query({ queries: [{ sql: "SELECT 1" }] }));
  await t("batch", () => db.batch([db.prepare("SELECT 1 AS a"), db.prepare("SELECT ? AS b").bind("x")]));
  await t("batch-err", () => db.batch([db.prepare("INSERT INTO e1 VALUES (9)"), db.prepare("SELECT * FROM nope")]));
  await t("batch-empty", () => db.batch([]));
  await t("batch-nonarr", () => db.batch("x" as any));
  await t("first-col", () => db.prepare("SELECT 1 AS a").first("b"));
  await t("first-null", () => db.prepare("SELECT 1 AS a WHERE 0").first("b"));
  await t("first-nullval", () => db.prepare("SELECT NULL AS a").first("a"));
  await t("raw-cols", () => db.prepare("SELECT 1 AS a, 2 AS a").raw({ columnNames: true }));
  await t("all-dup", () => db.prepare("SELECT 1 AS a, 2 AS a").all());
  await t("bigint-result", () => db.prepare("SELECT 9223372036854775807 AS a").all());
  await t("syntax", () => db.prepare("SELEC 1").all());
  await t("constraint", () => db.prepare("INSERT INTO p1 (id) VALUES (1)").run());
  await t("blob-arr", () => db.prepare("SELECT ? AS v").bind([1, 2, 300]).all());
  await t("obj", () =>
    db
      .prepare("SELECT ? AS v")
      .bind({} as any)
      .all(),
  );
  await t("date", () =>
    db
      .prepare("SELECT ? AS v")
      .bind(new Date(0) as any)
      .all(),
  );
  await t("drop-meta", () => db.prepare("DROP TABLE e1").run());
  await t("txn", () => db.prepare("BEGIN TRANSACTION").run());
  await t("savepoint", () => db.prepare("SAVEPOINT a").run());
  await t("vacuum", () => db.prepare("VACUUM").run());
});
