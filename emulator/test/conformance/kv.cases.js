// @ts-check
// Conformance cases for a KV binding. The same file runs against miniflare's
// real KV binding (imported natively) and, as text, inside a loaded tenant
// worker against the emulator's tenant KV: both must give identical results.
// Plain JS with no imports, so it can be shipped into a loaded worker as is.
// Every case uses keys of its own, so the cases do not depend on each other.

/** @typedef {KVNamespace} KV */

/**
 * What an outcome looks like as JSON: a value is described (its type and
 * content), an error by its constructor, name and message.
 * @param {() => Promise<unknown>} run
 */
async function attempt(run) {
  try {
    return { ok: await describe(await run()) };
  } catch (error) {
    return { error: errorShape(error) };
  }
}

/** @param {unknown} error */
function errorShape(error) {
  if (!(error instanceof Error)) return { thrown: String(error) };
  return { constructor: error.constructor.name, name: error.name, message: error.message };
}

/**
 * A JSON-serialisable description of any value a binding returns.
 * @param {unknown} value
 * @returns {Promise<unknown>}
 */
async function describe(value) {
  if (value === undefined) return { undefined: true };
  if (value === null || typeof value !== "object") return value;
  if (value instanceof ArrayBuffer) return { arrayBuffer: [...new Uint8Array(value)] };
  if (value instanceof ReadableStream) {
    return { stream: [...new Uint8Array(await new Response(value).arrayBuffer())] };
  }
  if (value instanceof Map) {
    const entries = [];
    for (const [k, v] of value) entries.push([k, await describe(v)]);
    return { map: entries };
  }
  if (Array.isArray(value)) return Promise.all(value.map(describe));
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [k, v] of Object.entries(value)) out[k] = await describe(v);
  return out;
}

/** @param {number} n */
const bytes = (n) => new Uint8Array(n).map((_, i) => i % 251);
const FAR_FUTURE = 2000000000; // 2033-05-18: fixed, so both sides list the same expiration
const nowSeconds = () => Math.floor(Date.now() / 1000);

/** @param {Uint8Array[]} chunks */
function streamOf(chunks) {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

/**
 * Lists every page under a prefix, keeping each page's shape.
 * @param {KV} kv
 * @param {{ prefix: string, limit?: number }} options
 */
async function allPages(kv, options) {
  const pages = [];
  /** @type {string | undefined} */
  let cursor;
  do {
    const page = await kv.list({ ...options, cursor });
    pages.push(page);
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor !== undefined && pages.length < 20);
  return pages;
}

/** @type {{ name: string, run: (kv: KV) => Promise<unknown> }[]} */
export const cases = [
  {
    name: "the binding and its answers look like the runtime's",
    run: async (kv) => {
      await kv.put("look/a", "a", { metadata: { m: 1 } });
      await kv.put("look/b", "b");
      const proto = Object.getPrototypeOf(kv);
      return {
        constructorName: kv.constructor.name,
        tag: Object.prototype.toString.call(kv),
        methods: Object.getOwnPropertyNames(proto).sort(),
        listKeys: Object.keys(await kv.list({ prefix: "look/" })),
        pageKeys: Object.keys(await kv.list({ prefix: "look/", limit: 1 })),
        entryKeys: (await kv.list({ prefix: "look/" })).keys.map((k) => Object.keys(k)),
        withMetadataKeys: Object.keys(await kv.getWithMetadata("look/a")),
      };
    },
  },
  {
    name: "get of a missing key is null for every type",
    run: async (kv) => ({
      plain: await attempt(() => kv.get("missing")),
      text: await attempt(() => kv.get("missing", "text")),
      json: await attempt(() => kv.get("missing", "json")),
      arrayBuffer: await attempt(() => kv.get("missing", "arrayBuffer")),
      stream: await attempt(() => kv.get("missing", "stream")),
      withMetadata: await attempt(() => kv.getWithMetadata("missing")),
      withMetadataJson: await attempt(() => kv.getWithMetadata("missing", "json")),
    }),
  },
  {
    name: "put a string, get it back in every type and both option forms",
    run: async (kv) => {
      await kv.put("types/a", '{"hello":"wörld"}');
      return {
        plain: await attempt(() => kv.get("types/a")),
        text: await attempt(() => kv.get("types/a", "text")),
        json: await attempt(() => kv.get("types/a", "json")),
        arrayBuffer: await attempt(() => kv.get("types/a", "arrayBuffer")),
        stream: await attempt(() => kv.get("types/a", "stream")),
        objectJson: await attempt(() => kv.get("types/a", { type: "json" })),
        objectText: await attempt(() => kv.get("types/a", { type: "text", cacheTtl: 60 })),
        objectEmpty: await attempt(() => kv.get("types/a", {})),
      };
    },
  },
  {
    name: "get json of a value that is not JSON throws the parser's error",
    run: async (kv) => {
      await kv.put("json/bad", "not json {");
      return attempt(() => kv.get("json/bad", "json"));
    },
  },
  {
    name: "get with an unknown type",
    run: async (kv) => {
      await kv.put("type/unknown", "x");
      return {
        string: await attempt(() => kv.get("type/unknown", /** @type {any} */ ("blob"))),
        object: await attempt(() => kv.get("type/unknown", /** @type {any} */ ({ type: "blob" }))),
        withMetadata: await attempt(() => kv.getWithMetadata("type/unknown", /** @type {any} */ ("blob"))),
      };
    },
  },
  {
    name: "cacheTtl below 30 or not a number is refused",
    run: async (kv) => {
      await kv.put("ttl/a", "x");
      return {
        ten: await attempt(() => kv.get("ttl/a", { cacheTtl: 10 })),
        thirty: await attempt(() => kv.get("ttl/a", { cacheTtl: 30 })),
        nan: await attempt(() => kv.get("ttl/a", { cacheTtl: Number.NaN })),
        missingKey: await attempt(() => kv.get("ttl/missing", { cacheTtl: 10 })),
        withMetadata: await attempt(() => kv.getWithMetadata("ttl/a", { cacheTtl: 5 })),
      };
    },
  },
  {
    name: "put every kind of value",
    run: async (kv) => {
      const view = bytes(16).subarray(4, 12);
      await kv.put("values/string", "text");
      await kv.put("values/empty", "");
      await kv.put("values/buffer", bytes(10).buffer);
      await kv.put("values/view", view);
      await kv.put("values/dataview", new DataView(bytes(8).buffer, 2, 3));
      await kv.put("values/stream", streamOf([bytes(3), bytes(5)]));
      await kv.put("values/unicode", "日本語 🎉");
      const read = async (/** @type {string} */ key) => attempt(() => kv.get(key, "arrayBuffer"));
      return {
        string: await read("values/string"),
        empty: await read("values/empty"),
        emptyText: await attempt(() => kv.get("values/empty")),
        buffer: await read("values/buffer"),
        view: await read("values/view"),
        dataview: await read("values/dataview"),
        stream: await read("values/stream"),
        unicode: await attempt(() => kv.get("values/unicode")),
      };
    },
  },
  {
    name: "put values of other types",
    run: async (kv) => ({
      number: await attempt(async () => {
        await kv.put("other/number", /** @type {any} */ (42));
        return kv.get("other/number");
      }),
      object: await attempt(async () => {
        await kv.put("other/object", /** @type {any} */ ({ a: 1 }));
        return kv.get("other/object");
      }),
      null: await attempt(async () => {
        await kv.put("other/null", /** @type {any} */ (null));
        return kv.get("other/null");
      }),
      undefined: await attempt(async () => {
        await kv.put("other/undefined", /** @type {any} */ (undefined));
        return kv.get("other/undefined");
      }),
      boolean: await attempt(async () => {
        await kv.put("other/boolean", /** @type {any} */ (true));
        return kv.get("other/boolean");
      }),
      array: await attempt(() => kv.put("other/array", /** @type {any} */ ([1, 2]))),
      blob: await attempt(() => kv.put("other/blob", /** @type {any} */ (new Blob(["b"])))),
      missing: await attempt(() => /** @type {any} */ (kv).put("other/missing")),
    }),
  },
  {
    name: "put overwrites, delete removes, delete of a missing key is fine",
    run: async (kv) => {
      await kv.put("del/a", "one");
      await kv.put("del/a", "two");
      const before = await kv.get("del/a");
      const deleted = await attempt(() => kv.delete("del/a"));
      const missing = await attempt(() => kv.delete("del/never"));
      return { before, deleted, missing, after: await kv.get("del/a") };
    },
  },
  {
    name: "metadata round-trips through getWithMetadata and list",
    run: async (kv) => {
      await kv.put("meta/a", "va", { metadata: { n: 1, nested: { s: "x" }, list: [1, "2"] } });
      await kv.put("meta/b", "vb");
      await kv.put("meta/c", "3", { metadata: "just a string" });
      return {
        a: await attempt(() => kv.getWithMetadata("meta/a")),
        b: await attempt(() => kv.getWithMetadata("meta/b")),
        cJson: await attempt(() => kv.getWithMetadata("meta/c", "json")),
        aBuffer: await attempt(() => kv.getWithMetadata("meta/a", { type: "arrayBuffer" })),
        aStream: await attempt(() => kv.getWithMetadata("meta/a", "stream")),
        list: await attempt(() => kv.list({ prefix: "meta/" })),
      };
    },
  },
  {
    name: "metadata over 1024 bytes is refused",
    run: async (kv) => ({
      exactly: await attempt(() => kv.put("metasize/ok", "v", { metadata: "x".repeat(1022) })),
      over: await attempt(() => kv.put("metasize/big", "v", { metadata: "x".repeat(1023) })),
      big: await attempt(() => kv.put("metasize/big", "v", { metadata: { s: "é".repeat(600) } })),
      stored: await kv.get("metasize/big"),
    }),
  },
  {
    name: "expiration and expirationTtl are validated and reported by list",
    run: async (kv) => {
      const now = nowSeconds();
      return {
        far: await attempt(() => kv.put("exp/far", "v", { expiration: FAR_FUTURE })),
        farString: await attempt(() =>
          kv.put("exp/farstring", "v", { expiration: /** @type {any} */ (`${FAR_FUTURE}`) }),
        ),
        past: await attempt(() => kv.put("exp/past", "v", { expiration: 1000 })),
        // The message names the expiration asked for; the two sides run a moment apart.
        soon: JSON.stringify(await attempt(() => kv.put("exp/soon", "v", { expiration: now + 10 }))).replace(
          String(now + 10),
          "NOW+10",
        ),
        beyondInt32: await attempt(() => kv.put("exp/int32", "v", { expiration: 4102444800 })),
        ttlSmall: await attempt(() => kv.put("exp/ttl", "v", { expirationTtl: 30 })),
        ttlZero: await attempt(() => kv.put("exp/ttl", "v", { expirationTtl: 0 })),
        ttlNegative: await attempt(() => kv.put("exp/ttl", "v", { expirationTtl: -5 })),
        ttlNaN: await attempt(() => kv.put("exp/ttl", "v", { expirationTtl: Number.NaN })),
        ttlOk: await attempt(() => kv.put("exp/ttl", "v", { expirationTtl: 3600 })),
        list: (await kv.list({ prefix: "exp/" })).keys.map((k) => ({
          name: k.name,
          expiration: k.name === "exp/ttl" ? typeof k.expiration : k.expiration,
        })),
      };
    },
  },
  {
    name: "keys: empty, dot and dot-dot are refused, odd characters work",
    run: async (kv) => {
      const odd = [
        "a:b",
        "../up",
        "./here",
        "a/../b",
        "%2e%2e",
        "sp ace",
        "null\u0000byte",
        "emoji🎉",
        "\\back",
        "?q=1#h",
      ];
      /** @type {Record<string, string | null>} */
      const stored = {};
      for (const key of odd) {
        await kv.put(`odd/${key}`, key);
        stored[key] = await kv.get(`odd/${key}`);
      }
      return {
        stored,
        listed: (await kv.list({ prefix: "odd/" })).keys.map((k) => k.name),
        emptyGet: await attempt(() => kv.get("")),
        emptyPut: await attempt(() => kv.put("", "v")),
        emptyDelete: await attempt(() => kv.delete("")),
        emptyMeta: await attempt(() => kv.getWithMetadata("")),
        dotGet: await attempt(() => kv.get(".")),
        dotPut: await attempt(() => kv.put(".", "v")),
        dotDotPut: await attempt(() => kv.put("..", "v")),
        dotDotDelete: await attempt(() => kv.delete("..")),
        dotDotDotPut: await attempt(async () => {
          await kv.put("...", "three dots");
          return kv.get("...");
        }),
      };
    },
  },
  {
    name: "keys that are not strings are turned into strings",
    run: async (kv) => {
      await kv.put(/** @type {any} */ (12345), "number key");
      return {
        number: await attempt(() => kv.get("12345")),
        back: await attempt(() => kv.get(/** @type {any} */ (12345))),
        nullKey: await attempt(() => kv.get(/** @type {any} */ (null))),
        undefinedKey: await attempt(() => /** @type {any} */ (kv).get()),
        objectKey: await attempt(() => kv.get(/** @type {any} */ ({ toString: () => "12345" }))),
        explicitUndefinedKey: await attempt(() => kv.get(/** @type {any} */ (undefined))),
        undefinedDelete: await attempt(() => /** @type {any} */ (kv).delete()),
        undefinedPut: await attempt(() => kv.put(/** @type {any} */ (undefined), "v")),
      };
    },
  },
  {
    name: "which error wins when several things are wrong",
    run: async (kv) => ({
      emptyKeyUnknownType: await attempt(() => kv.get("", /** @type {any} */ ("blob"))),
      dotKeyBadValue: await attempt(() => kv.put(".", /** @type {any} */ ({ a: 1 }))),
      emptyKeyBadTtl: await attempt(() => kv.put("", "v", { expirationTtl: 1 })),
      emptyKeyBadCacheTtl: await attempt(() => kv.get("", { cacheTtl: 1 })),
      bulkEmptyFirstBadTtl: await attempt(() => kv.get(["", "a"], { cacheTtl: 1 })),
      bulkEmptySecondBadTtl: await attempt(() => kv.get(["a", ""], { cacheTtl: 1 })),
      bulkEmptyBinaryType: await attempt(() => kv.get([""], /** @type {any} */ ("arrayBuffer"))),
      bulkEmptyUnknownType: await attempt(() => kv.get([""], /** @type {any} */ ("blob"))),
      bulkEmptyTooMany: await attempt(() => kv.get(["", ...Array.from({ length: 100 }, (_, i) => `k${i}`)])),
      bulkDotAfterNonJson: await attempt(async () => {
        await kv.put("prec/text", "not json");
        return kv.get(["prec/text", "."], "json");
      }),
      bulkDotsWithMetadata: await attempt(() => kv.getWithMetadata(["prec/x", ".."])),
    }),
  },
  {
    name: "bulk get returns a Map in the order asked, null for missing keys",
    run: async (kv) => {
      await kv.put("bulk/a", '{"v":"a"}', { metadata: { m: "a" } });
      await kv.put("bulk/b", '"b"');
      const keys = ["bulk/b", "bulk/missing", "bulk/a"];
      return {
        plain: await attempt(() => kv.get(keys)),
        text: await attempt(() => kv.get(keys, "text")),
        json: await attempt(() => kv.get(keys, "json")),
        objectJson: await attempt(() => kv.get(keys, { type: "json" })),
        withMetadata: await attempt(() => kv.getWithMetadata(keys)),
        withMetadataJson: await attempt(() => kv.getWithMetadata(keys, "json")),
        duplicate: await attempt(() => kv.get(["bulk/a", "bulk/a"])),
      };
    },
  },
  {
    name: "bulk get refuses binary types, too many and too few keys, non-JSON values",
    run: async (kv) => {
      await kv.put("bulkerr/text", "not json");
      const many = Array.from({ length: 101 }, (_, i) => `bulkerr/${i}`);
      return {
        arrayBuffer: await attempt(() => kv.get(["bulkerr/text"], /** @type {any} */ ("arrayBuffer"))),
        stream: await attempt(() => kv.get(["bulkerr/text"], /** @type {any} */ ("stream"))),
        hundredOne: await attempt(() => kv.get(many)),
        hundred: await attempt(async () => (await kv.get(many.slice(0, 100))).size),
        none: await attempt(() => kv.get([])),
        notJson: await attempt(() => kv.get(["bulkerr/text"], "json")),
        emptyKey: await attempt(() => kv.get(["bulkerr/text", ""])),
        dotKey: await attempt(() => kv.get([".."])),
        ttl: await attempt(() => kv.get(["bulkerr/text"], { cacheTtl: 10 })),
      };
    },
  },
  {
    name: "list: sorted names, prefix, limit, cursor pages, completion",
    run: async (kv) => {
      const names = ["list/b", "list/a", "list/c/1", "list/c/2", "list/é", "list/Z", "list/a0", "lisu"];
      for (const name of names) await kv.put(name, name);
      return {
        all: await attempt(() => kv.list({ prefix: "list/" })),
        pagesOf2: await attempt(() => allPages(kv, { prefix: "list/", limit: 2 })),
        pagesOf3: await attempt(() => allPages(kv, { prefix: "list/", limit: 3 })),
        exactLimit: await attempt(() => kv.list({ prefix: "list/c/", limit: 2 })),
        noMatch: await attempt(() => kv.list({ prefix: "list/none" })),
        prefixIsKey: await attempt(() => kv.list({ prefix: "list/a" })),
      };
    },
  },
  {
    name: "list limits and odd cursors",
    run: async (kv) => {
      await kv.put("limits/a", "a");
      await kv.put("limits/b", "b");
      return {
        zero: await attempt(() => kv.list({ prefix: "limits/", limit: 0 })),
        negative: await attempt(() => kv.list({ prefix: "limits/", limit: -1 })),
        thousand: await attempt(() => kv.list({ prefix: "limits/", limit: 1000 })),
        thousandOne: await attempt(() => kv.list({ prefix: "limits/", limit: 1001 })),
        stringLimit: await attempt(() => kv.list({ prefix: "limits/", limit: /** @type {any} */ ("1") })),
        garbageCursor: await attempt(() => kv.list({ prefix: "limits/", cursor: "not*a*cursor" })),
        emptyCursor: await attempt(() => kv.list({ prefix: "limits/", cursor: "" })),
        handMadeCursor: await attempt(() => kv.list({ prefix: "limits/", cursor: btoa("limits/a") })),
        nullPrefix: await attempt(async () => (await kv.list({ prefix: null, limit: 1 })).keys.length),
        numberPrefix: await attempt(async () => (await kv.list({ prefix: /** @type {any} */ (5) })).keys.length),
        stringOptions: await attempt(async () => (await kv.list(/** @type {any} */ ("limits/"))).keys.length),
        nullOptions: await attempt(async () => (await kv.list(/** @type {any} */ (null))).keys.length > 0),
        numberCursor: await attempt(
          async () => (await kv.list({ prefix: "limits/", cursor: /** @type {any} */ (5) })).keys.length,
        ),
      };
    },
  },
  {
    name: "a namespace lists only its own keys, from the first",
    run: async (kv) => {
      const first = await kv.list({ limit: 1 });
      return { names: first.keys.map((k) => k.name), complete: first.list_complete, hasCursor: "cursor" in first };
    },
  },
  {
    name: "keys in multi-byte characters and long keys within the limit",
    run: async (kv) => {
      const long = `long/${"k".repeat(400)}`;
      const wide = `wide/${"é".repeat(200)}`; // 405 bytes
      return {
        long: await attempt(async () => {
          await kv.put(long, "v");
          return (await kv.list({ prefix: "long/" })).keys.map((k) => k.name.length);
        }),
        wide: await attempt(async () => {
          await kv.put(wide, "v");
          return kv.get(wide);
        }),
      };
    },
  },
  {
    name: "a value read as a stream can be read only once, and cancelled",
    run: async (kv) => {
      await kv.put("stream/a", "streamed");
      const stream = await kv.get("stream/a", "stream");
      if (stream === null) return "null";
      const reader = stream.getReader();
      const first = await reader.read();
      await reader.cancel();
      return { gotBytes: first.value instanceof Uint8Array, locked: stream.locked };
    },
  },
];
