import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { acct, call, errorOf, json, resultOf } from "./helpers";

type Bucket = { name: string; creation_date: string; location?: string; storage_class?: string };
type ListBody = { result: { buckets: Bucket[] }; result_info: { cursor?: string; per_page: number } };

/** A new account per test keeps listings exact whatever else the file has created. */
const freshAccount = () => crypto.randomUUID().replaceAll("-", "");
const buckets = (account: string, query = "") => acct(`/r2/buckets${query}`, account);
const bucket = (account: string, name: string) => acct(`/r2/buckets/${name}`, account);

async function create(account: string, name: string, extra: Record<string, unknown> = {}): Promise<Bucket> {
  return resultOf<Bucket>(await call(buckets(account), json("POST", { name, ...extra })));
}

async function list(account: string, query = ""): Promise<ListBody> {
  const res = await call(buckets(account, query));
  expect(res.status).toBe(200);
  return res.json<ListBody>();
}

describe("creating an R2 bucket", () => {
  it("answers with name, creation date, location and storage class", async () => {
    const account = freshAccount();
    const created = await create(account, "photos");
    expect(created).toEqual({
      name: "photos",
      creation_date: expect.any(String),
      location: "enam",
      storage_class: "Standard",
    });
    expect(Number.isNaN(Date.parse(created.creation_date))).toBe(false);
    expect(await resultOf(await call(bucket(account, "photos")))).toEqual(created);
  });

  it("takes a location hint (in either case) and a storage class", async () => {
    const created = await create(freshAccount(), "hinted", { locationHint: "WEUR", storageClass: "InfrequentAccess" });
    expect(created).toMatchObject({ location: "weur", storage_class: "InfrequentAccess" });
  });

  it("refuses a name that exists in the account with 409 and code 10004", async () => {
    const account = freshAccount();
    await create(account, "taken");
    const error = await errorOf(await call(buckets(account), json("POST", { name: "taken" })), 409);
    expect(error).toEqual({ code: 10004, message: "The bucket you tried to create already exists, and you own it." });
  });

  it.each(["ab", "Upper", "-leading-dash", "trailing-dash-", "under_score", "dots.in.name", "a".repeat(64)])(
    "refuses the invalid name %j with 400 and code 10005, creating nothing",
    async (name) => {
      const account = freshAccount();
      const error = await errorOf(await call(buckets(account), json("POST", { name })), 400);
      expect(error).toEqual({ code: 10005, message: "The specified bucket name is not valid." });
      expect((await list(account)).result.buckets).toEqual([]);
    },
  );

  it("accepts names at the length bounds", async () => {
    const account = freshAccount();
    expect((await create(account, "abc")).name).toBe("abc");
    expect((await create(account, `a${"-".repeat(61)}z`)).name).toHaveLength(63);
  });

  it.each([
    ["no name", {}],
    ["a name of the wrong type", { name: 7 }],
    ["an unknown location hint", { name: "somewhere", locationHint: "mars" }],
    ["an unknown storage class", { name: "classy", storageClass: "Glacier" }],
  ])("refuses %s with 400 and code 10040", async (_, body) => {
    const error = await errorOf(await call(buckets(freshAccount()), json("POST", body)), 400);
    expect(error.code).toBe(10040);
  });

  it("refuses a body that is not JSON with 400", async () => {
    const res = await call(buckets(freshAccount()), { method: "POST", body: "name=x" });
    expect(await errorOf(res, 400)).toEqual({ code: 10040, message: "Request body is not valid JSON" });
  });
});

describe("listing R2 buckets", () => {
  it("answers {buckets} in name order, with per_page in result_info", async () => {
    const account = freshAccount();
    for (const name of ["cherry", "apple", "banana"]) await create(account, name);
    const body = await list(account);
    expect(body.result.buckets.map((b) => b.name)).toEqual(["apple", "banana", "cherry"]);
    expect(body.result_info).toEqual({ per_page: 20 });
  });

  it("pages with a cursor until the last page, which has none", async () => {
    const account = freshAccount();
    const names = Array.from({ length: 7 }, (_, i) => `bucket-${i}`);
    for (const name of names) await create(account, name);

    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const body = await list(
        account,
        `?per_page=3${cursor === undefined ? "" : `&cursor=${encodeURIComponent(cursor)}`}`,
      );
      seen.push(...body.result.buckets.map((b) => b.name));
      cursor = body.result_info.cursor;
      pages++;
    } while (cursor !== undefined);
    expect(seen).toEqual(names);
    expect(pages).toBe(3);
  });

  it("gives no cursor when a page ends exactly at the last bucket", async () => {
    const account = freshAccount();
    for (const name of ["one", "two"]) await create(account, name);
    expect((await list(account, "?per_page=2")).result_info).toEqual({ per_page: 2 });
  });

  it("filters with name_contains and orders descending", async () => {
    const account = freshAccount();
    for (const name of ["logs-eu", "logs-us", "media", "old-logs"]) await create(account, name);
    const filtered = await list(account, "?name_contains=logs&direction=desc");
    expect(filtered.result.buckets.map((b) => b.name)).toEqual(["old-logs", "logs-us", "logs-eu"]);
    // The filter is literal text, not a pattern.
    expect((await list(account, "?name_contains=%25")).result.buckets).toEqual([]);
  });

  it("keeps name_contains across cursor pages", async () => {
    const account = freshAccount();
    for (const name of ["a-match", "b-other", "c-match", "d-match"]) await create(account, name);
    const first = await list(account, "?name_contains=match&per_page=2");
    expect(first.result.buckets.map((b) => b.name)).toEqual(["a-match", "c-match"]);
    const cursor = first.result_info.cursor ?? "";
    const second = await list(account, `?name_contains=match&per_page=2&cursor=${encodeURIComponent(cursor)}`);
    expect(second.result.buckets.map((b) => b.name)).toEqual(["d-match"]);
    expect(second.result_info.cursor).toBeUndefined();
  });

  it("starts after a name with start_after", async () => {
    const account = freshAccount();
    for (const name of ["aaa", "bbb", "ccc"]) await create(account, name);
    expect((await list(account, "?start_after=aaa")).result.buckets.map((b) => b.name)).toEqual(["bbb", "ccc"]);
  });

  it.each([
    "?per_page=0",
    "?per_page=1001",
    "?per_page=many",
    "?direction=sideways",
    "?order=size",
    "?cursor=not-a-cursor",
  ])("refuses %s with 400 and code 10040", async (query) => {
    expect((await errorOf(await call(buckets(freshAccount(), query)), 400)).code).toBe(10040);
  });
});

describe("getting and deleting an R2 bucket", () => {
  it("answers an unknown bucket with 404 and code 10006", async () => {
    const error = await errorOf(await call(bucket(freshAccount(), "nowhere")), 404);
    expect(error).toEqual({ code: 10006, message: "The specified bucket does not exist." });
  });

  it("answers an invalid name in the path with 400 and code 10005", async () => {
    expect((await errorOf(await call(bucket(freshAccount(), "No_Such")), 400)).code).toBe(10005);
  });

  it("deletes an empty bucket; then it is gone and its name is free", async () => {
    const account = freshAccount();
    await create(account, "empty");
    expect(await resultOf(await call(bucket(account, "empty"), { method: "DELETE" }))).toEqual({});
    expect((await errorOf(await call(bucket(account, "empty")), 404)).code).toBe(10006);
    expect((await errorOf(await call(bucket(account, "empty"), { method: "DELETE" }), 404)).code).toBe(10006);
    expect((await create(account, "empty")).name).toBe("empty");
  });

  it("refuses to delete a bucket with objects with 409 and code 10008, keeping it", async () => {
    const account = freshAccount();
    await create(account, "full");
    await env.R2_DATA.put(`${account}/full/photos/cat.jpg`, "meow");
    const error = await errorOf(await call(bucket(account, "full"), { method: "DELETE" }), 409);
    expect(error).toEqual({
      code: 10008,
      message: `The bucket you tried to delete (full) is not empty (account ${account}).`,
    });
    expect((await resultOf<Bucket>(await call(bucket(account, "full")))).name).toBe("full");
    expect(await (await env.R2_DATA.get(`${account}/full/photos/cat.jpg`))?.text()).toBe("meow");

    await env.R2_DATA.delete(`${account}/full/photos/cat.jpg`);
    expect(await resultOf(await call(bucket(account, "full"), { method: "DELETE" }))).toEqual({});
  });

  it("does not count another bucket's objects, even one whose name starts the same", async () => {
    const account = freshAccount();
    await create(account, "data");
    await create(account, "data-archive");
    await env.R2_DATA.put(`${account}/data-archive/x`, "x");
    expect(await resultOf(await call(bucket(account, "data"), { method: "DELETE" }))).toEqual({});
  });

  it("answers an unknown method with 405", async () => {
    const account = freshAccount();
    await create(account, "methods");
    expect((await errorOf(await call(bucket(account, "methods"), { method: "PUT" }), 405)).code).toBe(10405);
  });
});

describe("account isolation", () => {
  it("keeps one account's buckets out of another's reach, names included", async () => {
    const owner = freshAccount();
    const other = freshAccount();
    await create(owner, "mine");

    expect((await list(other)).result.buckets).toEqual([]);
    expect((await errorOf(await call(bucket(other, "mine")), 404)).code).toBe(10006);
    expect((await errorOf(await call(bucket(other, "mine"), { method: "DELETE" }), 404)).code).toBe(10006);
    // Bucket names are per account here, so the other account can have its own "mine".
    expect((await create(other, "mine")).name).toBe("mine");
    await env.R2_DATA.put(`${other}/mine/k`, "v");
    expect(await resultOf(await call(bucket(owner, "mine"), { method: "DELETE" }))).toEqual({});
  });
});
