import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { tenantBucket, tenantKv } from "./conformance/direct-stub";

/**
 * A tenant reaches KV and R2 only through the emulator's entrypoints, scoped
 * by props the emulator sets. These tests call the entrypoint stubs directly,
 * as a tenant that bypassed the client could, with every key, prefix, cursor
 * and start-after trick, and check that nothing outside the tenant's own
 * slice of the shared store is read, listed, written or deleted.
 */

const hexId = () => crypto.randomUUID().replaceAll("-", "");
const b64 = (text: string) => btoa(String.fromCharCode(...new TextEncoder().encode(text)));

/** The error a call fails with, if it fails. */
const failure = (call: Promise<unknown>): Promise<Error | undefined> =>
  call.then(
    () => undefined,
    (error: Error) => error,
  );

type KvListPage = { keys: { name: string }[]; list_complete: boolean; cursor?: string };
type R2ListPage = { objects: { key: string }[]; delimitedPrefixes: string[]; truncated: boolean; cursor?: string };

/** Every key of a shared store, to compare before and after a tenant's tricks. */
async function allKvData(): Promise<Record<string, string | null>> {
  const out: Record<string, string | null> = {};
  let cursor: string | undefined;
  do {
    const page = await env.KV_DATA.list({ cursor });
    for (const { name } of page.keys) out[name] = await env.KV_DATA.get(name);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor !== undefined);
  return out;
}

async function allR2Data(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  let cursor: string | undefined;
  do {
    const page = await env.R2_DATA.list({ cursor });
    for (const { key } of page.objects) out[key] = (await (await env.R2_DATA.get(key))?.text()) ?? "";
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor !== undefined);
  return out;
}

/** Keys a tenant might try to escape its prefix with, given the prefix it must not leave. */
function escapeAttempts(otherPrefix: string, separator: string): string[] {
  return [
    `${otherPrefix}secret`,
    `../${otherPrefix}secret`,
    `..${separator}${otherPrefix}secret`,
    `../../${otherPrefix}secret`,
    `${separator}secret`,
    `${separator}${separator}secret`,
    "\u0000secret",
    `\u0000${otherPrefix}secret`,
    "secret\u0000",
    "%2e%2e/secret",
    "..\\secret",
    "x".repeat(400) + otherPrefix,
  ];
}

describe("a tenant's KV namespace is its own slice of KV_DATA", () => {
  async function setup() {
    const mine = hexId();
    const other = hexId();
    await env.KV_DATA.put(`${other}:secret`, "other namespace");
    await env.KV_DATA.put(`${other}:${mine}:secret`, "other namespace, my id in the key");
    await env.KV_DATA.put("secret", "outside every namespace");
    await env.KV_DATA.put(":secret", "outside every namespace");
    const kv = tenantKv(mine);
    await kv.put("own", "mine");
    return { mine, other, kv };
  }

  it("reads nothing of another namespace by any key", async () => {
    const { other, kv } = await setup();
    for (const key of escapeAttempts(`${other}:`, ":")) {
      expect(await kv.get(key), key).toBeNull();
      expect(await kv.getWithMetadata(key), key).toEqual({ value: null, metadata: null, cacheStatus: null });
    }
    const keys = escapeAttempts(`${other}:`, ":");
    const bulk = (await kv.get(keys)) as Map<string, unknown>;
    // One entry per key asked for, each null: an empty map would pass an `every` alone.
    expect([...bulk.keys()].sort()).toEqual([...new Set(keys)].sort());
    expect([...bulk.values()]).toEqual([...new Set(keys)].map(() => null));
  });

  it("writes and deletes only inside its own slice, whatever the key", async () => {
    const { mine, other, kv } = await setup();
    const before = await allKvData();
    const attempts = escapeAttempts(`${other}:`, ":");
    for (const key of attempts) await kv.put(key, "written by the tenant");
    for (const key of attempts) expect(await kv.get(key), key).toBe("written by the tenant");
    const after = await allKvData();
    const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
    expect(changed.sort()).toEqual(attempts.map((k) => `${mine}:${k}`).sort());

    for (const key of attempts) await kv.delete(key);
    expect(await allKvData()).toEqual(before);
    expect(await env.KV_DATA.get(`${other}:secret`)).toBe("other namespace");
  });

  it("lists only its own keys, by any prefix or cursor", async () => {
    const { mine, other, kv } = await setup();
    const names = async (options: Record<string, unknown>) =>
      ((await kv.list(options)) as KvListPage).keys.map((k) => k.name);
    expect(await names({})).toEqual(["own"]);
    for (const prefix of ["", ":", `${other}`, `${other}:`, "../", `../${other}:`, "\u0000", mine, `${mine}:`]) {
      expect(await names({ prefix }), prefix).toEqual(prefix === "" ? ["own"] : []);
    }
    // A cursor is base64 of a key: one naming anything outside the slice only
    // moves the start within it.
    for (const start of ["", "\u0000", `${other}:`, `${other}:secret`, ":", "../", "\uffff", `${mine}:`]) {
      const listed = await names({ cursor: b64(start) });
      expect(listed, start).toEqual("own" > start ? ["own"] : []);
    }
  });

  it("never shows the prefix: not in names, cursors or errors", async () => {
    const { mine, kv } = await setup();
    for (const key of ["b", "c", "d"]) await kv.put(key, key);
    const page = (await kv.list({ limit: 2 })) as KvListPage;
    expect(page.keys.map((k) => k.name)).toEqual(["b", "c"]);
    expect(page.cursor).toBe(b64("c"));
    const rest = (await kv.list({ cursor: page.cursor })) as KvListPage;
    expect(rest.keys.map((k) => k.name)).toEqual(["d", "own"]);
    const messages: string[] = [];
    for (const fail of [
      () => kv.put("k".repeat(600), "v"),
      () => kv.get(["k".repeat(600)]),
      () => kv.list({ prefix: "k".repeat(600) }),
      () => kv.put("k", "v", { expirationTtl: 1 }),
      () => kv.get("", {}),
    ]) {
      messages.push((await failure(fail()))?.message ?? "no error");
    }
    expect(messages.filter((m) => m === "no error")).toEqual([]);
    for (const message of messages) expect(message).not.toContain(mine);
  });

  it("refuses a namespace id that could hold another namespace's slice", async () => {
    const kv = tenantKv("abc:def");
    expect(await failure(kv.get("k"))).toBeInstanceOf(Error);
    expect(await env.KV_DATA.get("abc:def:k")).toBeNull();
  });
});

describe("a tenant's R2 bucket is its own slice of R2_DATA", () => {
  async function setup() {
    const account = hexId();
    const otherAccount = hexId();
    const seeded = [`${account}/other/secret`, `${account}/mine0/secret`, `${otherAccount}/mine/secret`, "secret"];
    for (const key of seeded) await env.R2_DATA.put(key, `seeded ${key}`);
    const bucket = tenantBucket(account, "mine");
    await bucket.put("own", "mine");
    return { account, otherAccount, bucket };
  }

  it("reads nothing of another bucket or account by any key", async () => {
    const { account, otherAccount, bucket } = await setup();
    const attempts = [
      ...escapeAttempts(`${account}/other/`, "/"),
      ...escapeAttempts(`${otherAccount}/mine/`, "/"),
      "../other/secret",
      "../../other/secret",
      `../../${otherAccount}/mine/secret`,
      "/../other/secret",
    ];
    for (const key of attempts) {
      expect(await bucket.head(key), key).toBeNull();
      expect(await bucket.get(key), key).toBeNull();
    }
  });

  it("writes and deletes only inside its own slice, whatever the key", async () => {
    const { account, bucket } = await setup();
    const before = await allR2Data();
    const attempts = ["../other/secret", "../../secret", "/secret", "0/secret", "", "\u0000"];
    for (const key of attempts) await bucket.put(key, "written by the tenant");
    const after = await allR2Data();
    const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
    expect(changed.sort()).toEqual(attempts.map((k) => `${account}/mine/${k}`).sort());
    await bucket.delete(attempts);
    await bucket.delete("../other/secret");
    expect(await allR2Data()).toEqual(before);
  });

  it("lists only its own objects, by any prefix, delimiter, start-after or cursor", async () => {
    const { account, otherAccount, bucket } = await setup();
    const list = async (options: Record<string, unknown>) => (await bucket.list(options)) as R2ListPage;
    const keys = async (options: Record<string, unknown>) => (await list(options)).objects.map((o) => o.key);
    expect(await keys({})).toEqual(["own"]);
    expect((await list({ delimiter: "/" })).delimitedPrefixes).toEqual([]);
    for (const prefix of ["../", "/", `${account}/`, "../other/", `../../${otherAccount}/`, "0"]) {
      expect(await keys({ prefix }), prefix).toEqual([]);
    }
    for (const start of ["", "\u0000", "..", "../other/", `${account}/other/`, "/", "0"]) {
      expect(await keys({ startAfter: start }), start).toEqual("own" > start ? ["own"] : []);
      expect(await keys({ cursor: b64(start) }), start).toEqual("own" > start ? ["own"] : []);
    }
  });

  it("never shows the prefix in keys, delimited prefixes or cursors", async () => {
    const { account, bucket } = await setup();
    for (const key of ["dir/a", "dir/b", "top"]) await bucket.put(key, key);
    const page = (await bucket.list({ limit: 2 })) as R2ListPage;
    expect(page.objects.map((o) => o.key)).toEqual(["dir/a", "dir/b"]);
    expect(page.cursor).toBe(b64("dir/b"));
    const delimited = (await bucket.list({ delimiter: "/" })) as R2ListPage;
    expect(delimited.delimitedPrefixes).toEqual(["dir/"]);
    expect(JSON.stringify([page, delimited])).not.toContain(account);
  });

  it("cannot reach another bucket's multipart upload, even knowing its id", async () => {
    const { account, bucket } = await setup();
    const theirs = await env.R2_DATA.createMultipartUpload(`${account}/other/big`);
    const part = await theirs.uploadPart(1, "their part");
    for (const key of ["big", "../other/big", `../../${account}/other/big`]) {
      expect((await failure(bucket.uploadPart(key, theirs.uploadId, 1, "tenant part")))?.message).toMatch(/\(10024\)$/);
      expect((await failure(bucket.completeMultipartUpload(key, theirs.uploadId, [part])))?.message).toMatch(
        /\(10001\)$/,
      );
      expect((await failure(bucket.abortMultipartUpload(key, theirs.uploadId)))?.message).toMatch(/\(10001\)$/);
    }
    const done = await theirs.complete([part]);
    expect(done.size).toBe("their part".length);
    expect(await (await env.R2_DATA.get(`${account}/other/big`))?.text()).toBe("their part");
    expect(await bucket.head("big")).toBeNull();
  });

  it("refuses an account id or bucket name that could hold another bucket's slice, and writes nothing", async () => {
    const before = await allR2Data();
    const bucket = tenantBucket(hexId(), "a/b");
    expect(await failure(bucket.put("k", "v"))).toBeInstanceOf(Error);
    expect(await allR2Data()).toEqual(before);
  });
});
