import { describe, expect, it } from "vitest";
import type { TenantId } from "../../../platform/routes";
import { CloudflareApiError } from "../../src/cloudflare/errors";
import { tenantResourceNames } from "../../src/cloudflare/names";
import { testClient, unique } from "./support";

/** KV, R2 and D1 against the emulator: ensure converges, find finds, delete of what is gone succeeds. */
describe("tenant resources", () => {
  it("derives every resource name from the tenant id", () => {
    expect(tenantResourceNames("acme-co" as TenantId)).toEqual({
      kv: "t-acme-co-kv",
      r2: "t-acme-co-r2",
      d1: "t-acme-co-d1",
      script: "acme-co",
      dataset: "tenant_acme_co",
    });
  });

  it("kv.ensure twice gives the same namespace; find finds it; delete twice succeeds", async () => {
    const api = testClient();
    const title = unique("t-kv");
    expect(await api.kv.find(title)).toBeNull();
    const first = await api.kv.ensure(title);
    const second = await api.kv.ensure(title);
    expect(second).toEqual(first);
    expect(first.title).toBe(title);
    expect(await api.kv.find(title)).toEqual(first);
    await api.kv.delete(first.id);
    await api.kv.delete(first.id);
    expect(await api.kv.find(title)).toBeNull();
  });

  it("finds a KV namespace past the first page of the list", async () => {
    const api = testClient();
    // 100 a page: the one sought is the 101st by title.
    for (let i = 0; i < 100; i++)
      await api.api.run("seed", "once", () =>
        api.api.sdk.kv.namespaces.create({ account_id: api.accountId, title: `a-${String(i).padStart(3, "0")}` }),
      );
    const sought = await api.kv.ensure("z-last");
    expect(await api.kv.find("z-last")).toEqual(sought);
  });

  it("ensureR2Bucket twice gives the same bucket; delete twice succeeds", async () => {
    const api = testClient();
    const name = unique("t-r2");
    expect(await api.r2.find(name)).toBeNull();
    expect(await api.r2.ensure(name)).toEqual({ name });
    expect(await api.r2.ensure(name)).toEqual({ name });
    expect(await api.r2.find(name)).toEqual({ name });
    await api.r2.delete(name);
    await api.r2.delete(name);
    expect(await api.r2.find(name)).toBeNull();
  });

  it("empties a bucket of more than one page of objects, then deletes it", async () => {
    const api = testClient();
    const name = unique("t-r2");
    await api.r2.ensure(name);
    const keys = ["a", "b/c", "d e", "f", "g", "h", "i"];
    for (const key of keys) {
      await api.api.run("seed", "once", () =>
        api.api.sdk.r2.buckets.objects.upload(key, `value of ${key}`, { account_id: api.accountId, bucket_name: name }),
      );
    }
    expect(await api.r2.empty(name, 3)).toBe(keys.length);
    const left = await api.api.sdk.r2.buckets.objects.list(name, { account_id: api.accountId });
    expect(left.result).toEqual([]);
    // A bucket with objects is emptied first, so delete works on a full one too.
    await api.api.run("seed", "once", () =>
      api.api.sdk.r2.buckets.objects.upload("again", "x", { account_id: api.accountId, bucket_name: name }),
    );
    await api.r2.delete(name);
    expect(await api.r2.find(name)).toBeNull();
  });

  it("ensureD1Database twice gives the same database; queries run; delete twice succeeds", async () => {
    const api = testClient();
    const name = unique("t-d1");
    expect(await api.d1.find(name)).toBeNull();
    const first = await api.d1.ensure(name);
    expect(await api.d1.ensure(name)).toEqual(first);
    expect(await api.d1.find(name)).toEqual(first);
    await api.d1.query(first.uuid, [
      { sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)" },
      { sql: "INSERT INTO notes (text) VALUES (?)", params: ["hello"] },
    ]);
    const [rows] = await api.d1.query(first.uuid, { sql: "SELECT text FROM notes WHERE id = ?", params: [1] });
    expect(rows?.results).toEqual([{ text: "hello" }]);
    const [count] = await api.d1.query(first.uuid, "SELECT COUNT(*) AS n FROM notes");
    expect(count?.results).toEqual([{ n: 1 }]);
    await api.d1.delete(first.uuid);
    await api.d1.delete(first.uuid);
    expect(await api.d1.find(name)).toBeNull();
  });

  it("a failed batch changes nothing and surfaces as a CloudflareApiError", async () => {
    const api = testClient();
    const { uuid } = await api.d1.ensure(unique("t-d1"));
    const error = await api.d1.query(uuid, [{ sql: "CREATE TABLE t (x)" }, { sql: "NOT SQL" }]).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CloudflareApiError);
    const [tables] = await api.d1.query(uuid, "SELECT name FROM sqlite_master WHERE name = 't'");
    expect(tables?.results).toEqual([]);
  });

  it("ensureDispatchNamespace twice gives the same namespace", async () => {
    const api = testClient();
    const name = unique("ns");
    expect(await api.dispatchNamespaces.find(name)).toBeNull();
    const first = await api.dispatchNamespaces.ensure(name);
    expect(await api.dispatchNamespaces.ensure(name)).toEqual(first);
  });
});
