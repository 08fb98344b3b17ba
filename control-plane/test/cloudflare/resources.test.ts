import { describe, expect, it } from "vitest";
import type { TenantId } from "../../../platform/routes";
import { CloudflareApiError } from "../../src/cloudflare/errors";
import { tenantResourceNames } from "../../src/cloudflare/names";
import { testClient, unique } from "./support";

/** What `find` finds by name, `ensure` makes (or finds) by name, and `delete` removes by `Key`. */
type Product<T, Key> = {
  find(name: string): Promise<T | null>;
  ensure(name: string): Promise<T>;
  delete(key: Key): Promise<unknown>;
};

/** Nothing is found by `name`; `ensure` twice gives one and the same resource, which `find` then finds. */
async function ensureTwice<T>(product: Omit<Product<T, never>, "delete">, name: string): Promise<T> {
  expect(await product.find(name)).toBeNull();
  const first = await product.ensure(name);
  expect(await product.ensure(name)).toEqual(first);
  expect(await product.find(name)).toEqual(first);
  return first;
}

/** `delete` twice succeeds (what is gone is done), and nothing is found by `name` after. */
async function deleteTwice<Key>(product: Product<unknown, Key>, key: Key, name: string): Promise<void> {
  await product.delete(key);
  await product.delete(key);
  expect(await product.find(name)).toBeNull();
}

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
    const first = await ensureTwice(api.kv, title);
    expect(first.title).toBe(title);
    await deleteTwice(api.kv, first.id, title);
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
    expect(await ensureTwice(api.r2, name)).toEqual({ name });
    await deleteTwice(api.r2, name, name);
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
    const first = await ensureTwice(api.d1, name);
    await api.d1.query(first.uuid, [
      { sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)" },
      { sql: "INSERT INTO notes (text) VALUES (?)", params: ["hello"] },
    ]);
    const [rows] = await api.d1.query(first.uuid, { sql: "SELECT text FROM notes WHERE id = ?", params: [1] });
    expect(rows?.results).toEqual([{ text: "hello" }]);
    const [count] = await api.d1.query(first.uuid, "SELECT COUNT(*) AS n FROM notes");
    expect(count?.results).toEqual([{ n: 1 }]);
    await deleteTwice(api.d1, first.uuid, name);
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
    await ensureTwice(api.dispatchNamespaces, unique("ns"));
  });
});
