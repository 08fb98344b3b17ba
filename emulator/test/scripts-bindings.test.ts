import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ACCOUNT, acct, call, errorOf, json, OTHER_ACCOUNT, resultOf } from "./helpers";
import { createNamespace, scriptPath, settingsForm, unique, upload, uploadScript } from "./scripts-helpers";

const createKv = async (account = ACCOUNT) =>
  (
    await resultOf<{ id: string }>(
      await call(acct("/storage/kv/namespaces", account), json("POST", { title: unique("kv") })),
    )
  ).id;
const createBucket = async () =>
  (await resultOf<{ name: string }>(await call(acct("/r2/buckets"), json("POST", { name: unique("bucket") })))).name;
const createD1 = async () =>
  (await resultOf<{ uuid: string }>(await call(acct("/d1/database"), json("POST", { name: unique("db") })))).uuid;

const bindingsOf = async (ns: string, script: string) =>
  resultOf<Record<string, unknown>[]>(await call(scriptPath(ns, script, "/bindings")));

/** The stored bindings, secret values included, as the runner will get them. */
const storedBindings = async (ns: string, script: string) =>
  (await env.WORKERS_STORE.get(env.WORKERS_STORE.idFromName(ACCOUNT)).getRunnableScript(ns, script))?.bindings;

const etagOf = async (ns: string, script: string) =>
  (await resultOf<{ script: { etag: string } }>(await call(scriptPath(ns, script)))).script.etag;

const patchSettings = (ns: string, script: string, settings: unknown) =>
  call(scriptPath(ns, script, "/settings"), { method: "PATCH", body: settingsForm(settings) });

describe("bindings on upload", () => {
  it("stores every binding type the emulator runs and shows them without secret values", async () => {
    const ns = await createNamespace();
    const [kv, bucket, d1, legacyD1] = [await createKv(), await createBucket(), await createD1(), await createD1()];
    await uploadScript(ns, "bound", {
      bindings: [
        { type: "kv_namespace", name: "KV", namespace_id: kv },
        { type: "r2_bucket", name: "BUCKET", bucket_name: bucket },
        { type: "d1", name: "DB", database_id: d1 },
        { type: "d1", name: "LEGACY_DB", id: legacyD1 },
        { type: "analytics_engine", name: "EVENTS", dataset: "events" },
        { type: "plain_text", name: "GREETING", text: "hello" },
        { type: "secret_text", name: "API_KEY", text: "do-not-show" },
        { type: "json", name: "CONFIG", json: { nested: [1, { deep: true }] } },
      ],
    });
    expect(await bindingsOf(ns, "bound")).toEqual([
      { type: "kv_namespace", name: "KV", namespace_id: kv },
      { type: "r2_bucket", name: "BUCKET", bucket_name: bucket },
      { type: "d1", name: "DB", database_id: d1, id: d1 },
      { type: "d1", name: "LEGACY_DB", database_id: legacyD1, id: legacyD1 },
      { type: "analytics_engine", name: "EVENTS", dataset: "events" },
      { type: "plain_text", name: "GREETING", text: "hello" },
      { type: "secret_text", name: "API_KEY" },
      { type: "json", name: "CONFIG", json: { nested: [1, { deep: true }] } },
    ]);
    expect(await storedBindings(ns, "bound")).toContainEqual({
      type: "secret_text",
      name: "API_KEY",
      text: "do-not-show",
    });
  });

  it("refuses an unknown binding type or a binding missing its fields with 400 and code 10021", async () => {
    const ns = await createNamespace();
    const before = await uploadScript(ns, "typed");
    const cases = [
      [{ type: "hologram", name: "X" }, /bindings\.0\.type: unknown binding type/],
      [{ type: "kv_namespace", name: "KV" }, /bindings\.0\.namespace_id/],
      [{ type: "plain_text", text: "no name" }, /bindings\.0\.name/],
      [{ type: "d1", name: "DB" }, /bindings\.0\.database_id/],
    ] as const;
    for (const [binding, message] of cases) {
      const res = await upload(ns, "typed", JSON.stringify({ main_module: "index.js", bindings: [binding] }));
      const error = await errorOf(res, 400);
      expect(error.code).toBe(10021);
      expect(error.message).toMatch(message);
    }
    expect(await etagOf(ns, "typed")).toBe(before.etag);
  });

  it("refuses two bindings of the same name", async () => {
    const ns = await createNamespace();
    const bindings = [
      { type: "plain_text" as const, name: "X", text: "1" },
      { type: "plain_text" as const, name: "X", text: "2" },
    ];
    const error = await errorOf(await upload(ns, "twice", { main_module: "index.js", bindings }), 400);
    expect(error.code).toBe(10021);
    expect(error.message).toContain("'X'");
  });
});

describe("bindings to resources the account does not have", () => {
  const missingCases = [
    {
      what: "a KV namespace that does not exist",
      binding: () => ({ type: "kv_namespace" as const, name: "KV", namespace_id: "0".repeat(32) }),
      expected: { code: 10041, message: `KV namespace '${"0".repeat(32)}' not found.` },
    },
    {
      what: "a KV namespace id that cannot be one",
      binding: () => ({ type: "kv_namespace" as const, name: "KV", namespace_id: "placeholder-kv-id" }),
      expected: {
        code: 10042,
        message: "KV namespace 'placeholder-kv-id' is not valid. Please verify the namespace_id in your configuration.",
      },
    },
    {
      what: "an R2 bucket that does not exist",
      binding: () => ({ type: "r2_bucket" as const, name: "B", bucket_name: "no-such-bucket" }),
      expected: {
        code: 10085,
        message: "R2 bucket 'no-such-bucket' not found. Please use a different name and try again.",
      },
    },
    {
      what: "a D1 database that does not exist",
      binding: () => ({ type: "d1" as const, name: "DB", database_id: "00000000-0000-4000-8000-000000000000" }),
      expected: {
        code: 10181,
        message:
          "D1 binding 'DB' references database '00000000-0000-4000-8000-000000000000' which was not found. Verify the database exists in your account and that the database_id in your configuration is correct.",
      },
    },
  ];

  for (const { what, binding, expected } of missingCases) {
    it(`refuses ${what} and keeps the previous version`, async () => {
      const ns = await createNamespace();
      const before = await uploadScript(ns, "refs");
      const error = await errorOf(await upload(ns, "refs", { main_module: "index.js", bindings: [binding()] }), 400);
      expect(error).toEqual(expected);
      expect(await etagOf(ns, "refs")).toBe(before.etag);
    });
  }

  it("does not let a script bind another account's KV namespace", async () => {
    const ns = await createNamespace();
    const theirs = await createKv(OTHER_ACCOUNT);
    const bindings = [{ type: "kv_namespace" as const, name: "KV", namespace_id: theirs }];
    expect((await errorOf(await upload(ns, "thief", { main_module: "index.js", bindings }), 400)).code).toBe(10041);
  });
});

describe("carrying bindings over from the previous version", () => {
  it("keeps the binding types keep_bindings lists, unless the upload names them again", async () => {
    const ns = await createNamespace();
    const kv = await createKv();
    await uploadScript(ns, "keeper", {
      bindings: [
        { type: "secret_text", name: "S1", text: "one" },
        { type: "secret_text", name: "S2", text: "two" },
        { type: "plain_text", name: "P", text: "old" },
        { type: "kv_namespace", name: "KV", namespace_id: kv },
      ],
    });
    await uploadScript(ns, "keeper", {
      bindings: [
        { type: "plain_text", name: "NEW", text: "new" },
        { type: "secret_text", name: "S2", text: "two-again" },
      ],
      keep_bindings: ["secret_text", "secret_key"],
    });
    expect(await storedBindings(ns, "keeper")).toEqual([
      { type: "plain_text", name: "NEW", text: "new" },
      { type: "secret_text", name: "S2", text: "two-again" },
      { type: "secret_text", name: "S1", text: "one" },
    ]);
    // Without keep_bindings an upload's bindings are the whole list.
    await uploadScript(ns, "keeper", { bindings: [] });
    expect(await storedBindings(ns, "keeper")).toEqual([]);
  });

  it("inherits one binding by name, renamed from old_name when given", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "heir", {
      bindings: [
        { type: "plain_text", name: "A", text: "a" },
        { type: "secret_text", name: "S", text: "secret" },
        { type: "plain_text", name: "DROPPED", text: "x" },
      ],
    });
    await uploadScript(ns, "heir", {
      bindings: [
        { type: "inherit", name: "A" },
        { type: "inherit", name: "RENAMED", old_name: "S" },
      ],
    });
    expect(await storedBindings(ns, "heir")).toEqual([
      { type: "plain_text", name: "A", text: "a" },
      { type: "secret_text", name: "RENAMED", text: "secret" },
    ]);
  });

  it("drops an inherit that names nothing, or refuses it under bindings_inherit=strict", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "orphan", { bindings: [{ type: "plain_text", name: "A", text: "a" }] });
    const bindings = [{ type: "inherit" as const, name: "NOPE" }];
    const strict = await upload(ns, "orphan", { main_module: "index.js", bindings }, undefined, {
      query: "?bindings_inherit=strict",
    });
    const error = await errorOf(strict, 400);
    expect(error.code).toBe(10021);
    expect(error.message).toContain("NOPE");
    expect(await storedBindings(ns, "orphan")).toEqual([{ type: "plain_text", name: "A", text: "a" }]);
    await resultOf(await upload(ns, "orphan", { main_module: "index.js", bindings }));
    expect(await storedBindings(ns, "orphan")).toEqual([]);
  });
});

describe("script settings", () => {
  it("answers the settings and bindings of a script", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "settled", {
      compatibility_date: "2025-03-03",
      bindings: [{ type: "plain_text", name: "A", text: "a" }],
      tags: ["t1"],
    });
    const settings = await resultOf(await call(scriptPath(ns, "settled", "/settings")));
    expect(settings).toEqual({
      bindings: [{ type: "plain_text", name: "A", text: "a" }],
      compatibility_date: "2025-03-03",
      compatibility_flags: [],
      logpush: false,
      tags: ["t1"],
      tail_consumers: [],
      usage_model: "bundled",
    });
  });

  it("PATCH replaces the bindings with the list sent, inherit carrying the rest, and keeps what it does not name", async () => {
    const ns = await createNamespace();
    const before = await uploadScript(ns, "patched", {
      compatibility_date: "2025-01-01",
      limits: { cpu_ms: 30 },
      bindings: [
        { type: "plain_text", name: "A", text: "a" },
        { type: "plain_text", name: "B", text: "b" },
        { type: "secret_text", name: "S", text: "keep-me" },
      ],
    });
    const res = await patchSettings(ns, "patched", {
      bindings: [
        { type: "inherit", name: "S" },
        { type: "plain_text", name: "C", text: "c" },
      ],
      compatibility_flags: ["nodejs_compat"],
      logpush: true,
      tags: ["patched"],
    });
    expect(await resultOf(res)).toMatchObject({
      bindings: [
        { type: "secret_text", name: "S" },
        { type: "plain_text", name: "C", text: "c" },
      ],
      compatibility_date: "2025-01-01",
      compatibility_flags: ["nodejs_compat"],
      limits: { cpu_ms: 30 },
      logpush: true,
      tags: ["patched"],
    });
    expect(await storedBindings(ns, "patched")).toContainEqual({ type: "secret_text", name: "S", text: "keep-me" });
    expect(await etagOf(ns, "patched")).not.toBe(before.etag);

    // Without `bindings` the bindings stay as they are.
    await resultOf(await patchSettings(ns, "patched", { usage_model: "unbound" }));
    expect((await storedBindings(ns, "patched"))?.map((b) => b.name)).toEqual(["S", "C"]);
  });

  it("PATCH refuses what an upload would refuse, changing nothing", async () => {
    const ns = await createNamespace();
    const before = await uploadScript(ns, "guarded", { migrations: { new_tag: "v1" } });
    const refusals: [unknown, number, number][] = [
      [{ bindings: [{ type: "inherit", name: "NOPE" }] }, 400, 10021],
      [{ bindings: [{ type: "kv_namespace", name: "KV", namespace_id: "f".repeat(32) }] }, 400, 10041],
      [{ bindings: [{ type: "teleporter", name: "T" }] }, 400, 10021],
      [{ migrations: { old_tag: "v0", new_tag: "v2" } }, 400, 10079],
      [{ tags: ["a", "b", "c", "d", "e", "f", "g", "h", "i"] }, 400, 100103],
      [{ compatibility_date: "soon" }, 400, 10021],
    ];
    for (const [settings, status, code] of refusals) {
      expect((await errorOf(await patchSettings(ns, "guarded", settings), status)).code, JSON.stringify(settings)).toBe(
        code,
      );
    }
    expect(await etagOf(ns, "guarded")).toBe(before.etag);
  });

  it("PATCH refuses (10021) a compatibility flag or date workerd cannot run, keeping the version, and takes a valid one", async () => {
    const ns = await createNamespace();
    const before = await uploadScript(ns, "configured");
    for (const settings of [{ compatibility_flags: ["no_such_flag"] }, { compatibility_date: "2999-01-01" }]) {
      const error = await errorOf(await patchSettings(ns, "configured", settings), 400);
      expect(error.code, JSON.stringify(settings)).toBe(10021);
    }
    expect(await etagOf(ns, "configured")).toBe(before.etag);
    await resultOf(await patchSettings(ns, "configured", { compatibility_flags: ["nodejs_compat"] }));
    expect(await etagOf(ns, "configured")).not.toBe(before.etag);
  });

  it("PATCH takes only multipart with a settings part", async () => {
    const ns = await createNamespace();
    await uploadScript(ns, "strictly");
    const asJson = await call(scriptPath(ns, "strictly", "/settings"), json("PATCH", { logpush: true }));
    expect((await errorOf(asJson, 400)).code).toBe(10001);
    const form = new FormData();
    form.append("other", "{}");
    const noPart = await call(scriptPath(ns, "strictly", "/settings"), {
      method: "PATCH",
      body: form,
    });
    expect((await errorOf(noPart, 400)).code).toBe(10021);
    const missing = await patchSettings(ns, "nobody", { logpush: true });
    expect((await errorOf(missing, 404)).code).toBe(10007);
  });
});
