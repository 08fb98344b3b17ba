import { describe, expect, it } from "vitest";
import { ErrorCode } from "../cloudflare-api/error-codes.ts";
import { apiErrorOf, collect, HEX32, ISO_DATE, newAccountId, sdk, UUID } from "./support/emulator.ts";

// The official `cloudflare` SDK, unmodified, against the emulator: what it
// sends is what real integrations send, and what it parses must come back in
// the shapes its types promise.
const client = sdk();
const account_id = newAccountId();

const names = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

describe("KV namespaces", () => {
  it("are created, listed across pages, read and deleted", async () => {
    const created = await client.kv.namespaces.create({ account_id, title: "e2e-kv-main" });
    expect(created.id).toMatch(HEX32);
    expect(created.title).toBe("e2e-kv-main");

    // Six more, so that five a page takes the SDK to a second (and a third, empty) page.
    const others = await Promise.all(
      names("e2e-kv", 6).map((title) => client.kv.namespaces.create({ account_id, title })),
    );
    const listed = await collect(client.kv.namespaces.list({ account_id, per_page: 5 }));
    expect(listed.map((ns) => ns.id).sort()).toEqual([created, ...others].map((ns) => ns.id).sort());
    expect(listed.find((ns) => ns.id === created.id)).toMatchObject({ id: created.id, title: "e2e-kv-main" });

    const fetched = await client.kv.namespaces.get(created.id, { account_id });
    expect(fetched).toMatchObject({ id: created.id, title: "e2e-kv-main" });

    await client.kv.namespaces.delete(created.id, { account_id });
    await apiErrorOf(client.kv.namespaces.get(created.id, { account_id }), 404, ErrorCode.kvNamespaceNotFound);
  });

  it("refuses a second namespace with the same title", async () => {
    await client.kv.namespaces.create({ account_id, title: "e2e-kv-twice" });
    await apiErrorOf(
      client.kv.namespaces.create({ account_id, title: "e2e-kv-twice" }),
      400,
      ErrorCode.kvNamespaceTitleExists,
    );
  });
});

describe("R2 buckets", () => {
  it("are created, listed, read and deleted", async () => {
    const created = await client.r2.buckets.create({ account_id, name: "e2e-bucket-main" });
    expect(created.name).toBe("e2e-bucket-main");
    expect(created.creation_date).toMatch(ISO_DATE);

    const listed = await client.r2.buckets.list({ account_id });
    expect(listed.buckets?.map((b) => b.name)).toContain("e2e-bucket-main");

    const fetched = await client.r2.buckets.get("e2e-bucket-main", { account_id });
    expect(fetched).toMatchObject({ name: "e2e-bucket-main", creation_date: created.creation_date });

    await client.r2.buckets.delete("e2e-bucket-main", { account_id });
    await apiErrorOf(client.r2.buckets.get("e2e-bucket-main", { account_id }), 404, ErrorCode.r2BucketNotFound);
  });

  it("answers 409 for a bucket that exists, which the SDK (without retries) reports at once", async () => {
    await client.r2.buckets.create({ account_id, name: "e2e-bucket-twice" });
    await apiErrorOf(client.r2.buckets.create({ account_id, name: "e2e-bucket-twice" }), 409, ErrorCode.r2BucketExists);
  });
});

describe("D1 databases", () => {
  it("are created, listed across pages, read and deleted", async () => {
    const created = await client.d1.database.create({ account_id, name: "e2e-db-main" });
    expect(created.uuid).toMatch(UUID);
    expect(created.name).toBe("e2e-db-main");
    expect(created.created_at).toMatch(ISO_DATE);

    // Ten more, so that ten a page (the smallest D1 allows) takes the SDK to a second page.
    const others = await Promise.all(
      names("e2e-db", 10).map((name) => client.d1.database.create({ account_id, name })),
    );
    const listed = await collect(client.d1.database.list({ account_id, per_page: 10 }));
    expect(listed.map((db) => db.uuid).sort()).toEqual([created, ...others].map((db) => db.uuid).sort());
    expect(listed.find((db) => db.uuid === created.uuid)).toMatchObject({ uuid: created.uuid, name: "e2e-db-main" });

    const fetched = await client.d1.database.get(created.uuid as string, { account_id });
    expect(fetched).toMatchObject({ uuid: created.uuid, name: "e2e-db-main" });
    expect(typeof fetched.num_tables).toBe("number");
    expect(typeof fetched.file_size).toBe("number");

    await client.d1.database.delete(created.uuid as string, { account_id });
    await apiErrorOf(client.d1.database.get(created.uuid as string, { account_id }), 404, ErrorCode.d1DatabaseNotFound);
  });

  it("runs SQL: one result per statement, with parameters and meta", async () => {
    const db = await client.d1.database.create({ account_id, name: "e2e-db-query" });
    const id = db.uuid as string;

    const setup = await collect(
      client.d1.database.query(id, {
        account_id,
        sql: "CREATE TABLE tenants (id INTEGER PRIMARY KEY, name TEXT NOT NULL); INSERT INTO tenants (name) VALUES ('acme'), ('globex');",
      }),
    );
    expect(setup).toHaveLength(2);
    expect(setup.every((r) => r.success === true)).toBe(true);
    expect(setup[1]?.meta).toMatchObject({ changes: 2, last_row_id: 2 });

    const [insert] = await collect(
      client.d1.database.query(id, { account_id, sql: "INSERT INTO tenants (name) VALUES (?)", params: ["initech"] }),
    );
    expect(insert?.meta).toMatchObject({ changes: 1, last_row_id: 3 });

    const [select] = await collect(
      client.d1.database.query(id, {
        account_id,
        sql: "SELECT id, name FROM tenants WHERE name = ?",
        params: ["globex"],
      }),
    );
    expect(select?.success).toBe(true);
    expect(select?.results).toEqual([{ id: 2, name: "globex" }]);
    expect(typeof select?.meta?.duration).toBe("number");
    expect(typeof select?.meta?.rows_read).toBe("number");

    const fetched = await client.d1.database.get(id, { account_id });
    expect(fetched.num_tables).toBe(1);
  });
});

describe("dispatch namespaces", () => {
  it("are created, listed, read and deleted", async () => {
    const created = await client.workersForPlatforms.dispatch.namespaces.create({ account_id, name: "e2e-tenants" });
    expect(created).toMatchObject({ namespace_name: "e2e-tenants", script_count: 0 });
    expect(created.namespace_id).toMatch(UUID);
    expect(created.created_on).toMatch(ISO_DATE);
    expect(created.modified_on).toMatch(ISO_DATE);

    const listed = await collect(client.workersForPlatforms.dispatch.namespaces.list({ account_id }));
    expect(listed.find((ns) => ns.namespace_name === "e2e-tenants")).toMatchObject({
      namespace_id: created.namespace_id,
      namespace_name: "e2e-tenants",
    });

    const fetched = await client.workersForPlatforms.dispatch.namespaces.get("e2e-tenants", { account_id });
    expect(fetched).toMatchObject({
      namespace_id: created.namespace_id,
      namespace_name: "e2e-tenants",
      script_count: 0,
      created_on: created.created_on,
    });

    await client.workersForPlatforms.dispatch.namespaces.delete("e2e-tenants", { account_id });
    await apiErrorOf(
      client.workersForPlatforms.dispatch.namespaces.get("e2e-tenants", { account_id }),
      404,
      ErrorCode.dispatchNamespaceNotFound,
    );
  });
});

describe("authentication", () => {
  it("refuses a token the emulator does not know, as the real API does", async () => {
    const stranger = sdk(undefined, "not-a-known-token");
    await apiErrorOf(stranger.kv.namespaces.list({ account_id }), 403, ErrorCode.invalidAccessToken);
  });
});
