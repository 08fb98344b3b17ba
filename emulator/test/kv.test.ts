import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { acct, call, errorOf, json, resultOf } from "./helpers";

type Namespace = { id: string; title: string; supports_url_encoding?: boolean };
type ListBody = {
  result: Namespace[];
  result_info: { page: number; per_page: number; count: number; total_count: number; total_pages: number };
};

/** A new account per test keeps listings exact whatever else the file has created. */
const freshAccount = () => crypto.randomUUID().replaceAll("-", "");
const namespaces = (account: string, query = "") => acct(`/storage/kv/namespaces${query}`, account);
const namespace = (account: string, id: string) => acct(`/storage/kv/namespaces/${id}`, account);

async function create(account: string, title: string): Promise<Namespace> {
  return resultOf<Namespace>(await call(namespaces(account), json("POST", { title })));
}

describe("creating a KV namespace", () => {
  it("answers with a 32-hex id, the title and supports_url_encoding", async () => {
    const account = freshAccount();
    const created = await create(account, "sessions");
    expect(created.id).toMatch(/^[0-9a-f]{32}$/);
    expect(created).toEqual({ id: created.id, title: "sessions", supports_url_encoding: true });
    expect(await resultOf(await call(namespace(account, created.id)))).toEqual(created);
  });

  it("refuses a title already used in the account with 400 and code 10014, creating nothing", async () => {
    const account = freshAccount();
    await create(account, "taken");
    const error = await errorOf(await call(namespaces(account), json("POST", { title: "taken" })), 400);
    expect(error).toEqual({ code: 10014, message: "a namespace with this account ID and title already exists" });
    const list = await (await call(namespaces(account))).json<ListBody>();
    expect(list.result.map((n) => n.title)).toEqual(["taken"]);
  });

  it("lets another account use the same title", async () => {
    await create(freshAccount(), "shared-title");
    expect((await create(freshAccount(), "shared-title")).title).toBe("shared-title");
  });

  it.each([
    ["no title", {}],
    ["a title of the wrong type", { title: 42 }],
    ["an empty title", { title: "" }],
    ["a body that is not an object", ["sessions"]],
  ])("refuses %s with 400 and code 10011, naming the field", async (_, body) => {
    const error = await errorOf(await call(namespaces(freshAccount()), json("POST", body)), 400);
    expect(error.code).toBe(10011);
    expect(error.message).toMatch(/Invalid request body/);
  });

  it("refuses a body that is not JSON with 400 and code 10011", async () => {
    const res = await call(namespaces(freshAccount()), { method: "POST", body: "{title:" });
    expect(await errorOf(res, 400)).toEqual({ code: 10011, message: "Request body is not valid JSON" });
  });

  it("ignores fields it does not know", async () => {
    const res = await call(namespaces(freshAccount()), json("POST", { title: "extra", colour: "blue" }));
    expect(await resultOf(res)).toMatchObject({ title: "extra" });
  });
});

describe("listing KV namespaces", () => {
  it("pages with page and per_page and reports result_info", async () => {
    const account = freshAccount();
    const titles = Array.from({ length: 12 }, (_, i) => `ns-${String(i).padStart(2, "0")}`);
    for (const title of titles) await create(account, title);

    const seen: string[] = [];
    for (const page of [1, 2, 3]) {
      const body = await (await call(namespaces(account, `?page=${page}&per_page=5`))).json<ListBody>();
      expect(body.result_info).toEqual({
        page,
        per_page: 5,
        count: page === 3 ? 2 : 5,
        total_count: 12,
        total_pages: 3,
      });
      seen.push(...body.result.map((n) => n.title));
    }
    expect(seen).toEqual(titles);
    const beyond = await (await call(namespaces(account, "?page=4&per_page=5"))).json<ListBody>();
    expect(beyond.result).toEqual([]);
    expect(beyond.result_info.count).toBe(0);
  });

  it("defaults to 20 a page, ordered by title", async () => {
    const account = freshAccount();
    for (const title of ["b", "c", "a"]) await create(account, title);
    const body = await (await call(namespaces(account))).json<ListBody>();
    expect(body.result.map((n) => n.title)).toEqual(["a", "b", "c"]);
    expect(body.result_info).toMatchObject({ page: 1, per_page: 20, count: 3, total_count: 3, total_pages: 1 });
  });

  it("orders by id or title, ascending or descending", async () => {
    const account = freshAccount();
    const created = [await create(account, "x"), await create(account, "y"), await create(account, "z")];
    const titlesDesc = await (await call(namespaces(account, "?order=title&direction=desc"))).json<ListBody>();
    expect(titlesDesc.result.map((n) => n.title)).toEqual(["z", "y", "x"]);
    const byId = await (await call(namespaces(account, "?order=id&direction=asc"))).json<ListBody>();
    expect(byId.result.map((n) => n.id)).toEqual(created.map((n) => n.id).sort());
  });

  it.each(["?per_page=4", "?per_page=101", "?per_page=ten", "?page=0", "?order=created", "?direction=up"])(
    "refuses %s with 400 and code 10011",
    async (query) => {
      const error = await errorOf(await call(namespaces(freshAccount(), query)), 400);
      expect(error.code).toBe(10011);
    },
  );

  it("accepts the per_page bounds themselves", async () => {
    for (const perPage of [5, 100]) {
      const res = await call(namespaces(freshAccount(), `?per_page=${perPage}`));
      expect((await res.json<ListBody>()).result_info.per_page).toBe(perPage);
    }
  });
});

describe("getting, renaming and deleting a KV namespace", () => {
  it("answers an unknown id with 404 and code 10013", async () => {
    const error = await errorOf(await call(namespace(freshAccount(), "0".repeat(32))), 404);
    expect(error).toEqual({ code: 10013, message: "namespace not found" });
  });

  it("answers an id that is not 32 hex digits with 400 and code 10011", async () => {
    expect((await errorOf(await call(namespace(freshAccount(), "not-an-id")), 400)).code).toBe(10011);
  });

  it("renames, answering with the namespace", async () => {
    const account = freshAccount();
    const created = await create(account, "old");
    const res = await call(namespace(account, created.id), json("PUT", { title: "new" }));
    expect(await resultOf(res)).toEqual({ id: created.id, title: "new", supports_url_encoding: true });
    expect(await resultOf(await call(namespace(account, created.id)))).toMatchObject({ title: "new" });
    // The old title is free again.
    expect((await create(account, "old")).title).toBe("old");
  });

  it("accepts renaming a namespace to its own title", async () => {
    const account = freshAccount();
    const created = await create(account, "same");
    expect(await resultOf(await call(namespace(account, created.id), json("PUT", { title: "same" })))).toMatchObject({
      title: "same",
    });
  });

  it("refuses a rename to another namespace's title with code 10014, changing nothing", async () => {
    const account = freshAccount();
    const first = await create(account, "first");
    await create(account, "second");
    const error = await errorOf(await call(namespace(account, first.id), json("PUT", { title: "second" })), 400);
    expect(error.code).toBe(10014);
    expect(await resultOf(await call(namespace(account, first.id)))).toMatchObject({ title: "first" });
  });

  it("refuses renaming an unknown namespace with 404 and a bad body with 400", async () => {
    const account = freshAccount();
    expect((await errorOf(await call(namespace(account, "a".repeat(32)), json("PUT", { title: "t" })), 404)).code).toBe(
      10013,
    );
    const created = await create(account, "kept");
    expect((await errorOf(await call(namespace(account, created.id), json("PUT", { name: "t" })), 400)).code).toBe(
      10011,
    );
  });

  it("deletes the namespace and its keys, leaving other namespaces' keys", async () => {
    const account = freshAccount();
    const doomed = await create(account, "doomed");
    const kept = await create(account, "kept");
    await env.KV_DATA.put(`${doomed.id}:a`, "1");
    await env.KV_DATA.put(`${doomed.id}:b/c`, "2");
    await env.KV_DATA.put(`${kept.id}:a`, "3");

    const res = await call(namespace(account, doomed.id), { method: "DELETE" });
    expect(await resultOf(res)).toEqual({});
    expect((await env.KV_DATA.list({ prefix: `${doomed.id}:` })).keys).toEqual([]);
    expect(await env.KV_DATA.get(`${kept.id}:a`)).toBe("3");
    expect((await errorOf(await call(namespace(account, doomed.id)), 404)).code).toBe(10013);
    expect((await errorOf(await call(namespace(account, doomed.id), { method: "DELETE" }), 404)).code).toBe(10013);
    // The title can be used again.
    expect((await create(account, "doomed")).id).not.toBe(doomed.id);
  });

  it("deletes every key of a namespace with more keys than one listing page", async () => {
    const account = freshAccount();
    const big = await create(account, "big");
    await Promise.all(Array.from({ length: 1001 }, (_, i) => env.KV_DATA.put(`${big.id}:${i}`, "v")));
    expect(await resultOf(await call(namespace(account, big.id), { method: "DELETE" }))).toEqual({});
    expect((await env.KV_DATA.list({ prefix: `${big.id}:`, limit: 1 })).keys).toEqual([]);
  });

  it("answers an unknown method with 405", async () => {
    const account = freshAccount();
    const created = await create(account, "m");
    expect((await errorOf(await call(namespace(account, created.id), { method: "PATCH" }), 405)).code).toBe(10405);
    expect((await errorOf(await call(namespaces(account), { method: "DELETE" }), 405)).code).toBe(10405);
  });
});

describe("account isolation", () => {
  it("keeps one account's namespaces out of another's reach", async () => {
    const owner = freshAccount();
    const other = freshAccount();
    const created = await create(owner, "private");

    expect((await (await call(namespaces(other))).json<ListBody>()).result).toEqual([]);
    expect((await errorOf(await call(namespace(other, created.id)), 404)).code).toBe(10013);
    expect((await errorOf(await call(namespace(other, created.id), json("PUT", { title: "x" })), 404)).code).toBe(
      10013,
    );
    expect((await errorOf(await call(namespace(other, created.id), { method: "DELETE" }), 404)).code).toBe(10013);
    expect(await resultOf(await call(namespace(owner, created.id)))).toEqual(created);
  });
});
