import { describe, expect, it } from "vitest";
import { tenantBucket } from "./conformance/direct-stub";
import { ACCOUNT, acct, call, errorOf, json, resultOf } from "./helpers";

/**
 * R2 objects over the REST API. These paths are newer than the OpenAPI
 * extract, so `call()` validates nothing here: the shapes checked below are
 * the official SDK's (cloudflare 7.x `r2.buckets.objects`: ObjectListResponse,
 * ObjectUploadResponse, ObjectDeleteResponse, CursorPagination's result_info)
 * and the API reference's; the error codes are R2's documented ones (10006
 * NoSuchBucket, 10007 NoSuchKey).
 */

type ListedObject = {
  key: string;
  size: number;
  etag: string;
  last_modified: string;
  http_metadata: Record<string, string>;
  custom_metadata: Record<string, string>;
  storage_class: string;
};

const objects = (bucket: string, rest = "") => acct(`/r2/buckets/${bucket}/objects${rest}`);
const objectPath = (bucket: string, key: string) => objects(bucket, `/${encodeURIComponent(key)}`);

async function createBucket(): Promise<string> {
  const name = `objects-${crypto.randomUUID().slice(0, 8)}`;
  await resultOf(await call(acct("/r2/buckets"), json("POST", { name })));
  return name;
}

const put = (bucket: string, key: string, body: string, type = "text/plain") =>
  call(objectPath(bucket, key), { method: "PUT", body, headers: { "content-type": type } });

async function listAll(bucket: string, query: string): Promise<{ pages: number; keys: string[] }> {
  const keys: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const res = await call(objects(bucket, `?${query}${cursor === undefined ? "" : `&cursor=${cursor}`}`));
    const body = await res.json<{ result: ListedObject[]; result_info: { cursor?: string; per_page: number } }>();
    expect(res.status).toBe(200);
    keys.push(...body.result.map((o) => o.key));
    cursor = body.result_info.cursor;
    pages++;
  } while (cursor !== undefined);
  return { pages, keys };
}

describe("R2 objects over the REST API", () => {
  it("uploads an object and answers with its metadata, the size as a string", async () => {
    const bucket = await createBucket();
    const uploaded = await resultOf<Record<string, unknown>>(await put(bucket, "docs/a.txt", "hello"));
    expect(uploaded).toMatchObject({ key: "docs/a.txt", size: "5", storage_class: "Standard" });
    expect(uploaded.etag).toMatch(/^[0-9a-f]{32}$/);
    expect(typeof uploaded.version).toBe("string");
    expect(Number.isNaN(Date.parse(String(uploaded.uploaded)))).toBe(false);
  });

  it("gets an object's bytes with its content type and a quoted ETag", async () => {
    const bucket = await createBucket();
    await put(bucket, "page.html", "<p>hi</p>", "text/html");
    const res = await call(objectPath(bucket, "page.html"));
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html");
    expect(res.headers.get("etag")).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await res.text()).toBe("<p>hi</p>");
  });

  it("lists objects with their metadata", async () => {
    const bucket = await createBucket();
    await put(bucket, "b.txt", "bb", "text/plain");
    await put(bucket, "a.json", "{}", "application/json");
    const listed = await resultOf<ListedObject[]>(await call(objects(bucket)));
    expect(listed.map((o) => o.key)).toEqual(["a.json", "b.txt"]);
    expect(listed[1]).toMatchObject({
      key: "b.txt",
      size: 2,
      http_metadata: { contentType: "text/plain" },
      custom_metadata: {},
      storage_class: "Standard",
    });
    expect(Number.isNaN(Date.parse(listed[1]?.last_modified ?? ""))).toBe(false);
  });

  it("pages with a cursor while there is more, and only then", async () => {
    const bucket = await createBucket();
    for (const i of [1, 2, 3, 4, 5]) await put(bucket, `k${i}`, String(i));
    const { pages, keys } = await listAll(bucket, "per_page=2");
    expect(pages).toBe(3);
    expect(keys).toEqual(["k1", "k2", "k3", "k4", "k5"]);
  });

  it("filters by prefix and starts after a key", async () => {
    const bucket = await createBucket();
    for (const key of ["logs/1", "logs/2", "logs/3", "other"]) await put(bucket, key, "x");
    expect((await listAll(bucket, "prefix=logs/")).keys).toEqual(["logs/1", "logs/2", "logs/3"]);
    expect((await listAll(bucket, "prefix=logs/&start_after=logs/1")).keys).toEqual(["logs/2", "logs/3"]);
  });

  it("refuses a per_page outside 1..1000", async () => {
    const bucket = await createBucket();
    expect((await errorOf(await call(objects(bucket, "?per_page=0")), 400)).code).toBe(10040);
    expect((await errorOf(await call(objects(bucket, "?per_page=1001")), 400)).code).toBe(10040);
  });

  it("deletes an object, and deleting a key that is not there succeeds too", async () => {
    const bucket = await createBucket();
    await put(bucket, "gone.txt", "bye");
    expect(await resultOf(await call(objectPath(bucket, "gone.txt"), { method: "DELETE" }))).toEqual({
      key: "gone.txt",
    });
    expect((await errorOf(await call(objectPath(bucket, "gone.txt")), 404)).code).toBe(10007);
    expect(await resultOf(await call(objectPath(bucket, "never.txt"), { method: "DELETE" }))).toEqual({
      key: "never.txt",
    });
  });

  it("answers 404 NoSuchBucket (10006) for a bucket that does not exist, on every method", async () => {
    const missing = `missing-${crypto.randomUUID().slice(0, 8)}`;
    for (const [path, init] of [
      [objects(missing), {}],
      [objectPath(missing, "k"), {}],
      [objectPath(missing, "k"), { method: "PUT", body: "x" }],
      [objectPath(missing, "k"), { method: "DELETE" }],
    ] as const) {
      expect((await errorOf(await call(path, init), 404)).code).toBe(10006);
    }
  });

  it("refuses a key R2 cannot hold (past 1024 bytes with the account's and bucket's prefix) with 400 10020, on every method", async () => {
    const bucket = await createBucket();
    const long = "k".repeat(1000);
    for (const init of [{}, { method: "PUT", body: "x" }, { method: "DELETE" }] as const) {
      const error = await errorOf(await call(objectPath(bucket, long), init), 400);
      expect(error).toEqual({ code: 10020, message: "The specified object name is not valid." });
    }
  });

  it("answers 405 to a method the path does not take", async () => {
    const bucket = await createBucket();
    expect((await errorOf(await call(objects(bucket), { method: "POST", body: "x" }), 405)).code).toBe(10405);
  });

  it("shares its objects with the tenant Worker's binding of the bucket", async () => {
    const bucket = await createBucket();
    const binding = tenantBucket(ACCOUNT, bucket);
    await put(bucket, "from-api", "api");
    await binding.put("from-worker", "worker");
    expect(((await binding.get("from-api")) as { object: { key: string } } | null)?.object.key).toBe("from-api");
    const fromWorker = await call(objectPath(bucket, "from-worker"));
    expect(new TextDecoder().decode(await fromWorker.arrayBuffer())).toBe("worker");
    await call(objectPath(bucket, "from-api"), { method: "DELETE" });
    expect(await binding.get("from-api")).toBeNull();
    // And a bucket holding objects cannot be deleted until the API has emptied it.
    expect((await errorOf(await call(acct(`/r2/buckets/${bucket}`), { method: "DELETE" }), 409)).code).toBe(10008);
    await call(objectPath(bucket, "from-worker"), { method: "DELETE" });
    await resultOf(await call(acct(`/r2/buckets/${bucket}`), { method: "DELETE" }));
  });
});
