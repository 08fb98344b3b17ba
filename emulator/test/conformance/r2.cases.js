// @ts-check
// Conformance cases for an R2 bucket binding. The same file runs against
// miniflare's real R2 binding (imported natively) and, as text, inside a loaded
// tenant worker against the emulator's tenant bucket: both must give identical
// results. Plain JS with no imports, so it can be shipped into a loaded worker
// as is. Every case uses keys of its own, so the cases do not depend on each other.

/** @typedef {R2Bucket} Bucket */

/** @param {() => Promise<unknown>} run */
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
  const extra = /** @type {Record<string, unknown>} */ (/** @type {unknown} */ (error));
  return {
    name: error.name,
    message: error.message,
    ...("code" in extra ? { code: extra.code } : {}),
    ...("action" in extra ? { action: extra.action } : {}),
  };
}

/**
 * An R2 object as JSON, random fields reduced to their shape.
 * @param {any} o
 */
function objectShape(o) {
  const headers = new Headers();
  o.writeHttpMetadata(headers);
  return {
    key: o.key,
    version: typeof o.version === "string" && /^[0-9a-f]{32}$/.test(o.version),
    size: o.size,
    etag: o.etag,
    httpEtag: o.httpEtag,
    uploaded: o.uploaded instanceof Date && Math.abs(Date.now() - o.uploaded.getTime()) < 60_000,
    httpMetadata: plain(o.httpMetadata),
    customMetadata: o.customMetadata,
    range: o.range,
    checksums: o.checksums.toJSON(),
    md5Bytes: o.checksums.md5 instanceof ArrayBuffer ? [...new Uint8Array(o.checksums.md5)] : String(o.checksums.md5),
    storageClass: o.storageClass,
    written: [...headers],
    hasBody: "body" in o,
    ownKeys: Object.keys(o),
    ...classOf(o),
    checksumsClass: classOf(o.checksums),
    checksumsKeys: Object.keys(o.checksums),
  };
}

/**
 * What a value's class looks like from the outside: its name, its tag and its methods.
 * @param {any} value
 */
function classOf(value) {
  const proto = Object.getPrototypeOf(value);
  return {
    constructorName: value?.constructor?.name,
    tag: Object.prototype.toString.call(value),
    methods: proto === Object.prototype ? "plain object" : Object.getOwnPropertyNames(proto).sort(),
  };
}

/**
 * @param {any} value
 * @returns {unknown}
 */
function plain(value) {
  if (value === undefined) return { undefined: true };
  if (value instanceof Date) return { date: value.toISOString() };
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map(plain);
  /** @type {Record<string, unknown>} */
  const out = {};
  for (const [k, v] of Object.entries(value)) out[k] = plain(v);
  return out;
}

/**
 * @param {unknown} value
 * @returns {Promise<unknown>}
 */
async function describe(value) {
  if (value === undefined) return { undefined: true };
  if (value === null || typeof value !== "object") return value;
  if (value instanceof ArrayBuffer) return { arrayBuffer: [...new Uint8Array(value)] };
  if ("writeHttpMetadata" in value) return { object: objectShape(value) };
  if ("objects" in value && "truncated" in value) return listShape(/** @type {R2Objects} */ (value));
  return plain(value);
}

/** @param {R2Objects} page */
function listShape(page) {
  return {
    objects: page.objects.map(objectShape),
    delimitedPrefixes: page.delimitedPrefixes,
    truncated: page.truncated,
    cursor: page.truncated ? page.cursor : "none",
    hasCursor: "cursor" in page,
  };
}

/** @param {Uint8Array[]} chunks */
function streamOf(chunks) {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

/** @param {string} text */
function fixedLengthStream(text) {
  const bytes = new TextEncoder().encode(text);
  const { readable, writable } = new FixedLengthStream(bytes.byteLength);
  const writer = writable.getWriter();
  writer.write(bytes).then(() => writer.close());
  return readable;
}

/** @param {string} hex */
const hexBytes = (hex) => new Uint8Array(hex.match(/../g)?.map((h) => Number.parseInt(h, 16)) ?? []);
const HELLO_MD5 = "5d41402abc4b2a76b9719d911017c592"; // md5("hello")
const HELLO_SHA1 = "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d";
const HELLO_SHA256 = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

/** @type {{ name: string, run: (bucket: Bucket) => Promise<unknown> }[]} */
export const cases = [
  {
    name: "the binding, its objects and its uploads look like the runtime's",
    run: async (bucket) => {
      await bucket.put("look/a", "a");
      const got = await bucket.get("look/a");
      const upload = await bucket.createMultipartUpload("look/mp");
      const page = await bucket.list({ prefix: "look/" });
      return {
        bucket: classOf(bucket),
        got: got && {
          ...classOf(got),
          parent: Object.getOwnPropertyNames(Object.getPrototypeOf(Object.getPrototypeOf(got))).sort(),
        },
        upload: { ...classOf(upload), ownKeys: Object.keys(upload) },
        resumed: { ...classOf(bucket.resumeMultipartUpload("look/mp", upload.uploadId)) },
        page: { ...classOf(page), ownKeys: Object.keys(page) },
      };
    },
  },
  {
    name: "head and get of a missing key are null",
    run: async (bucket) => ({
      head: await attempt(() => bucket.head("missing")),
      get: await attempt(() => bucket.get("missing")),
      getRange: await attempt(() => bucket.get("missing", { range: { offset: 1 } })),
      getOnlyIf: await attempt(() => bucket.get("missing", { onlyIf: { etagMatches: "x" } })),
    }),
  },
  {
    name: "put returns the object, head and get return it again",
    run: async (bucket) => {
      const put = await attempt(() => bucket.put("objects/hello.txt", "hello"));
      const head = await attempt(() => bucket.head("objects/hello.txt"));
      const got = await bucket.get("objects/hello.txt");
      return { put, head, get: got && { object: objectShape(got), text: await got.text(), bodyUsed: got.bodyUsed } };
    },
  },
  {
    name: "a body reads as text, json, arrayBuffer, bytes, blob and stream, once",
    run: async (bucket) => {
      await bucket.put("body/json", '{"a":[1,2]}');
      /** @type {Record<string, unknown>} */
      const out = {};
      /** @type {[string, (o: R2ObjectBody) => Promise<unknown>][]} */
      const readers = [
        ["text", (o) => o.text()],
        ["json", (o) => o.json()],
        ["arrayBuffer", async (o) => [...new Uint8Array(await o.arrayBuffer())]],
        [
          "bytes",
          async (o) => {
            const bytes = await o.bytes();
            return { isUint8Array: bytes instanceof Uint8Array, bytes: [...bytes] };
          },
        ],
        [
          "blob",
          async (o) => {
            const blob = await o.blob();
            return { isBlob: blob instanceof Blob, size: blob.size, type: blob.type, text: await blob.text() };
          },
        ],
        [
          "typedBlob",
          async () => {
            await bucket.put("body/typed", "typed", { httpMetadata: { contentType: "text/x-typed" } });
            const typed = await bucket.get("body/typed");
            const blob = await typed?.blob();
            return { type: blob?.type, size: blob?.size };
          },
        ],
        [
          "stream",
          async (o) => ({
            isStream: o.body instanceof ReadableStream,
            text: await new Response(o.body).text(),
          }),
        ],
      ];
      for (const [name, read] of readers) {
        const object = await bucket.get("body/json");
        if (object === null) return "vanished";
        const before = object.bodyUsed;
        const first = await attempt(() => read(object));
        out[name] = { before, first, after: object.bodyUsed, again: await attempt(() => object.text()) };
      }
      return out;
    },
  },
  {
    name: "a body that is not JSON fails json() with the parser's error",
    run: async (bucket) => {
      await bucket.put("body/notjson", "{nope");
      const object = await bucket.get("body/notjson");
      return attempt(async () => object?.json());
    },
  },
  {
    name: "put every kind of value",
    run: async (bucket) => {
      /** @type {[string, () => unknown][]} */
      const values = [
        ["string", () => "text"],
        ["empty", () => ""],
        ["buffer", () => new Uint8Array([1, 2, 3]).buffer],
        ["view", () => new Uint8Array([0, 1, 2, 3, 4, 5]).subarray(2, 4)],
        ["dataview", () => new DataView(new Uint8Array([9, 8, 7, 6]).buffer, 1, 2)],
        ["blob", () => new Blob(["blob ", "value"], { type: "text/x-blob" })],
        ["fixedLengthStream", () => fixedLengthStream("streamed")],
        ["responseBody", () => new Response("from a response").body],
        ["null", () => null],
        ["unknownLengthStream", () => streamOf([new Uint8Array([1])])],
        ["number", () => 42],
        ["object", () => ({ a: 1 })],
      ];
      /** @type {Record<string, unknown>} */
      const out = {};
      for (const [name, value] of values) {
        out[name] = {
          put: await attempt(() => bucket.put(`values/${name}`, /** @type {any} */ (value()))),
          read: await attempt(async () => {
            const object = await bucket.get(`values/${name}`);
            return object && [...new Uint8Array(await object.arrayBuffer())];
          }),
        };
      }
      return out;
    },
  },
  {
    name: "httpMetadata in object and Headers form, and writeHttpMetadata",
    run: async (bucket) => {
      const expiry = new Date("2030-01-02T03:04:05.000Z");
      const fromObject = await attempt(() =>
        bucket.put("meta/object", "x", {
          httpMetadata: {
            contentType: "text/plain",
            contentLanguage: "en",
            contentDisposition: 'attachment; filename="x.txt"',
            contentEncoding: "identity",
            cacheControl: "max-age=60",
            cacheExpiry: expiry,
          },
          customMetadata: { owner: "me", "with space": "välue" },
        }),
      );
      const headers = new Headers({
        "content-type": "application/json",
        "content-language": "fr",
        "content-disposition": "inline",
        "content-encoding": "gzip",
        "cache-control": "no-store",
        expires: expiry.toUTCString(),
        "x-other": "ignored",
      });
      const fromHeaders = await attempt(() => bucket.put("meta/headers", "x", { httpMetadata: headers }));
      return {
        fromObject,
        fromHeaders,
        headObject: await attempt(() => bucket.head("meta/object")),
        headHeaders: await attempt(() => bucket.head("meta/headers")),
        empty: await attempt(() => bucket.put("meta/empty", "x", { httpMetadata: {}, customMetadata: {} })),
      };
    },
  },
  {
    name: "customMetadata over 8 KiB and odd values",
    run: async (bucket) => ({
      big: await attempt(() => bucket.put("custom/big", "x", { customMetadata: { k: "v".repeat(8200) } })),
      stored: await attempt(() => bucket.head("custom/big")),
      atLimit: await attempt(async () => {
        const o = await bucket.put("custom/limit", "x", { customMetadata: { k: "v".repeat(8191) } });
        return o?.size;
      }),
      number: await attempt(() => bucket.put("custom/number", "x", { customMetadata: /** @type {any} */ ({ n: 1 }) })),
    }),
  },
  {
    name: "checksums: right, wrong, every algorithm, both forms",
    run: async (bucket) => ({
      md5Hex: await attempt(() => bucket.put("sum/md5hex", "hello", { md5: HELLO_MD5 })),
      md5Bytes: await attempt(() => bucket.put("sum/md5bytes", "hello", { md5: hexBytes(HELLO_MD5).buffer })),
      md5Wrong: await attempt(() => bucket.put("sum/md5wrong", "hello", { md5: "00000000000000000000000000000000" })),
      md5Short: await attempt(() => bucket.put("sum/md5short", "hello", { md5: "abcd" })),
      sha1: await attempt(() => bucket.put("sum/sha1", "hello", { sha1: HELLO_SHA1 })),
      sha256: await attempt(() => bucket.put("sum/sha256", "hello", { sha256: HELLO_SHA256 })),
      sha256Wrong: await attempt(() => bucket.put("sum/sha256wrong", "hello", { sha256: HELLO_SHA1 })),
      two: await attempt(() => bucket.put("sum/two", "hello", { md5: HELLO_MD5, sha1: HELLO_SHA1 })),
      wrongStored: await attempt(() => bucket.head("sum/md5wrong")),
    }),
  },
  {
    name: "ranges: offset, length, suffix, Headers, and the ones refused",
    run: async (bucket) => {
      await bucket.put("range/digits", "0123456789");
      /** @param {R2GetOptions} options */
      const read = (options) =>
        attempt(async () => {
          const o = await bucket.get("range/digits", options);
          return o && { range: o.range, size: o.size, text: "body" in o ? await o.text() : "no body" };
        });
      return {
        offsetLength: await read({ range: { offset: 2, length: 3 } }),
        offset: await read({ range: { offset: 7 } }),
        length: await read({ range: { length: 4 } }),
        suffix: await read({ range: { suffix: 3 } }),
        suffixTooBig: await read({ range: { suffix: 30 } }),
        lengthTooBig: await read({ range: { offset: 8, length: 30 } }),
        offsetTooBig: await read({ range: { offset: 11 } }),
        offsetAtEnd: await read({ range: { offset: 10 } }),
        zeroLength: await read({ range: { offset: 1, length: 0 } }),
        zeroSuffix: await read({ range: { suffix: 0 } }),
        negative: await read({ range: { offset: -1 } }),
        both: await read({ range: /** @type {any} */ ({ offset: 1, suffix: 2 }) }),
        headers: await read({ range: new Headers({ range: "bytes=3-5" }) }),
        headersOpenEnd: await read({ range: new Headers({ range: "bytes=6-" }) }),
        headersSuffix: await read({ range: new Headers({ range: "bytes=-2" }) }),
        headersMulti: await read({ range: new Headers({ range: "bytes=0-1,4-5" }) }),
        headersInvalid: await read({ range: new Headers({ range: "bytes=20-30" }) }),
        headersGarbage: await read({ range: new Headers({ range: "lines=1-2" }) }),
        headersNone: await read({ range: new Headers() }),
      };
    },
  },
  {
    name: "onlyIf on get: a failed condition gives the object without a body",
    run: async (bucket) => {
      const put = await bucket.put("cond/a", "conditional");
      if (put === null) return "put failed";
      const past = new Date(put.uploaded.getTime() - 3_600_000);
      const future = new Date(put.uploaded.getTime() + 3_600_000);
      /** @param {R2GetOptions["onlyIf"]} onlyIf */
      const read = (onlyIf) =>
        attempt(async () => {
          const o = await bucket.get("cond/a", { onlyIf });
          return o && { hasBody: "body" in o, text: "body" in o ? await o.text() : null, key: o.key };
        });
      return {
        etagMatches: await read({ etagMatches: put.etag }),
        etagMatchesQuoted: await read({ etagMatches: put.httpEtag }),
        etagMatchesWrong: await read({ etagMatches: "nope" }),
        etagMatchesWildcard: await read({ etagMatches: "*" }),
        etagDoesNotMatch: await read({ etagDoesNotMatch: put.etag }),
        etagDoesNotMatchOther: await read({ etagDoesNotMatch: "other" }),
        uploadedBeforePast: await read({ uploadedBefore: past }),
        uploadedBeforeFuture: await read({ uploadedBefore: future }),
        uploadedAfterPast: await read({ uploadedAfter: past }),
        uploadedAfterFuture: await read({ uploadedAfter: future }),
        headersIfMatch: await read(new Headers({ "if-match": put.httpEtag })),
        headersIfMatchWrong: await read(new Headers({ "if-match": '"nope"' })),
        headersIfNoneMatch: await read(new Headers({ "if-none-match": put.httpEtag })),
        headersIfModifiedSince: await read(new Headers({ "if-modified-since": future.toUTCString() })),
        headersIfUnmodifiedSince: await read(new Headers({ "if-unmodified-since": past.toUTCString() })),
        withRange: await attempt(async () => {
          const o = await bucket.get("cond/a", { onlyIf: { etagMatches: "nope" }, range: { offset: 2 } });
          return o && { hasBody: "body" in o, range: o.range };
        }),
        badEtagType: await read(/** @type {any} */ ({ etagMatches: 5 })),
      };
    },
  },
  {
    name: "onlyIf on put: a failed condition writes nothing and gives null",
    run: async (bucket) => {
      const first = await bucket.put("condput/a", "first");
      if (first === null) return "put failed";
      return {
        wrongEtag: await attempt(() => bucket.put("condput/a", "second", { onlyIf: { etagMatches: "nope" } })),
        afterWrong: await (await bucket.get("condput/a"))?.text(),
        rightEtag: await attempt(() => bucket.put("condput/a", "third", { onlyIf: { etagMatches: first.etag } })),
        afterRight: await (await bucket.get("condput/a"))?.text(),
        missingWithCondition: await attempt(() =>
          bucket.put("condput/missing", "x", { onlyIf: { etagMatches: first.etag } }),
        ),
        missingNoneMatch: await attempt(() =>
          bucket.put("condput/none", "x", { onlyIf: new Headers({ "if-none-match": "*" }) }),
        ),
        existingNoneMatch: await attempt(() =>
          bucket.put("condput/none", "y", { onlyIf: new Headers({ "if-none-match": "*" }) }),
        ),
      };
    },
  },
  {
    name: "storage classes",
    run: async (bucket) => ({
      standard: await attempt(() => bucket.put("class/standard", "x", { storageClass: "Standard" })),
      infrequent: await attempt(() => bucket.put("class/ia", "x", { storageClass: "InfrequentAccess" })),
      invalid: await attempt(() => bucket.put("class/bad", "x", { storageClass: "Glacier" })),
    }),
  },
  {
    name: "delete one, many, missing",
    run: async (bucket) => {
      for (const k of ["a", "b", "c", "d"]) await bucket.put(`del/${k}`, k);
      return {
        one: await attempt(() => bucket.delete("del/a")),
        many: await attempt(() => bucket.delete(["del/b", "del/c", "del/missing"])),
        missing: await attempt(() => bucket.delete("del/never")),
        none: await attempt(() => bucket.delete([])),
        left: (await bucket.list({ prefix: "del/" })).objects.map((o) => o.key),
      };
    },
  },
  {
    name: "list: prefix, delimiter, pages, startAfter, include",
    run: async (bucket) => {
      const keys = ["l/a", "l/b/1", "l/b/2", "l/c", "l/d/e/f", "l/é", "l/Z", "m/outside"];
      for (const key of keys) {
        await bucket.put(key, key, { httpMetadata: { contentType: "text/plain" }, customMetadata: { k: key } });
      }
      /** @param {R2ListOptions} options */
      const pages = async (options) => {
        const out = [];
        let cursor;
        do {
          const page = await bucket.list({ ...options, cursor });
          out.push(listShape(page));
          cursor = page.truncated ? page.cursor : undefined;
        } while (cursor !== undefined && out.length < 20);
        return out;
      };
      return {
        all: await attempt(() => bucket.list({ prefix: "l/" })),
        delimited: await attempt(() => bucket.list({ prefix: "l/", delimiter: "/" })),
        pagesOf2: await attempt(() => pages({ prefix: "l/", limit: 2 })),
        delimitedPagesOf2: await attempt(() => pages({ prefix: "l/", delimiter: "/", limit: 2 })),
        startAfter: await attempt(() => bucket.list({ prefix: "l/", startAfter: "l/b/1" })),
        startAfterOutside: await attempt(() => bucket.list({ prefix: "l/", startAfter: "a" })),
        includeHttp: await attempt(() => bucket.list({ prefix: "l/b/", include: ["httpMetadata"] })),
        includeCustom: await attempt(() => bucket.list({ prefix: "l/b/", include: ["customMetadata"] })),
        includeBoth: await attempt(() => bucket.list({ prefix: "l/b/", include: ["httpMetadata", "customMetadata"] })),
        includeBad: await attempt(() => bucket.list({ prefix: "l/b/", include: /** @type {any} */ (["nope"]) })),
        limitZero: await attempt(() => bucket.list({ prefix: "l/", limit: 0 })),
        limitTooBig: await attempt(() => bucket.list({ prefix: "l/", limit: 1001 })),
        garbageCursor: await attempt(() => bucket.list({ prefix: "l/", cursor: "not*a*cursor" })),
        handMadeCursor: await attempt(() => bucket.list({ prefix: "l/", cursor: btoa("l/c") })),
        otherDelimiter: await attempt(() => bucket.list({ prefix: "l/", delimiter: "b" })),
        noPrefixDelimited: await attempt(async () => (await bucket.list({ delimiter: "/" })).delimitedPrefixes),
      };
    },
  },
  {
    name: "odd key names are kept as they are",
    run: async (bucket) => {
      const odd = ["", "../up", "a/../../b", "./x", "a:b", "//double", "sp ace", "🎉", "?q#h", "%2F"];
      /** @type {Record<string, unknown>} */
      const out = {};
      for (const key of odd) {
        out[JSON.stringify(key)] = await attempt(async () => {
          const put = await bucket.put(`odd/${key}`, key);
          const got = await bucket.get(`odd/${key}`);
          return { putKey: put?.key, gotKey: got?.key, text: await got?.text() };
        });
      }
      out.emptyKey = await attempt(async () => {
        const put = await bucket.put("", "empty key");
        return { key: put?.key, text: await (await bucket.get(""))?.text() };
      });
      out.listed = (await bucket.list({ prefix: "odd/" })).objects.map((o) => o.key);
      return out;
    },
  },
  {
    name: "keys that are not strings, and missing arguments",
    run: async (bucket) => ({
      number: await attempt(async () => {
        await bucket.put(/** @type {any} */ (7), "seven");
        return (await bucket.get("7"))?.text();
      }),
      headNoKey: await attempt(() => /** @type {any} */ (bucket).head()),
      getNoKey: await attempt(() => /** @type {any} */ (bucket).get()),
      putNoValue: await attempt(() => /** @type {any} */ (bucket).put("novalue")),
      deleteNoKey: await attempt(() => /** @type {any} */ (bucket).delete()),
      listNull: await attempt(async () => (await bucket.list(/** @type {any} */ (null))).truncated),
      listString: await attempt(async () => (await bucket.list(/** @type {any} */ ("l/"))).objects.length),
      listNumber: await attempt(async () => (await bucket.list(/** @type {any} */ (5))).objects.length),
      nullPrefix: await attempt(async () => (await bucket.list({ prefix: /** @type {any} */ (null) })).objects.length),
      numberPrefix: await attempt(async () => (await bucket.list({ prefix: /** @type {any} */ (7) })).objects.length),
      resumeNumbers: await attempt(async () => {
        const upload = bucket.resumeMultipartUpload(/** @type {any} */ (8), /** @type {any} */ (9));
        return { key: upload.key, uploadId: upload.uploadId, ownKeys: Object.keys(upload).sort() };
      }),
    }),
  },
  {
    name: "multipart: create, upload parts, complete, read back",
    run: async (bucket) => {
      const upload = await bucket.createMultipartUpload("mp/done", {
        httpMetadata: { contentType: "application/x-mp" },
        customMetadata: { part: "yes" },
      });
      const shape = { key: upload.key, uploadIdIsString: typeof upload.uploadId === "string" };
      const partSize = 5 * 1024 * 1024;
      const one = await upload.uploadPart(1, new Uint8Array(partSize).fill(97));
      const two = await upload.uploadPart(2, "tail");
      const partShape = { partNumber: one.partNumber, etagIsString: typeof one.etag === "string" };
      const resumed = bucket.resumeMultipartUpload("mp/done", upload.uploadId);
      const outOfOrder = await attempt(() => resumed.complete([two, one]));
      const done = await attempt(() => resumed.complete([one, two]));
      const object = await bucket.get("mp/done", { range: { suffix: 6 } });
      return {
        shape,
        partShape,
        resumedShape: { key: resumed.key, same: resumed.uploadId === upload.uploadId },
        outOfOrder,
        done,
        tail: object && { text: await object.text(), range: object.range, size: object.size },
        again: await attempt(() => resumed.complete([one, two])),
        uploadAfter: await attempt(() => resumed.uploadPart(3, "late")),
      };
    },
  },
  {
    name: "multipart: abort, wrong parts, unknown upload ids",
    run: async (bucket) => {
      const upload = await bucket.createMultipartUpload("mp/aborted");
      const part = await upload.uploadPart(1, "only part");
      const wrongEtag = await attempt(() => upload.complete([{ partNumber: 1, etag: "nope" }]));
      const missingPart = await attempt(() => upload.complete([part, { partNumber: 2, etag: part.etag }]));
      const aborted = await attempt(() => upload.abort());
      const afterAbort = await attempt(() => upload.uploadPart(2, "more"));
      const completeAfterAbort = await attempt(() => upload.complete([part]));
      const abortAgain = await attempt(() => upload.abort());
      const unknown = bucket.resumeMultipartUpload("mp/aborted", "no-such-upload");
      return {
        wrongEtag,
        missingPart,
        aborted,
        afterAbort,
        completeAfterAbort,
        abortAgain,
        unknownUpload: await attempt(() => unknown.uploadPart(1, "x")),
        unknownComplete: await attempt(() => unknown.complete([])),
        unknownAbort: await attempt(() => unknown.abort()),
        wrongKey: await attempt(() => bucket.resumeMultipartUpload("mp/other", upload.uploadId).uploadPart(1, "x")),
        partNumberZero: await attempt(() => upload.uploadPart(0, "x")),
        partNumberHuge: await attempt(() => upload.uploadPart(10001, "x")),
        singleSmallPart: await attempt(async () => {
          const small = await bucket.createMultipartUpload("mp/small");
          const p = await small.uploadPart(1, "tiny");
          const o = await small.complete([p]);
          return {
            size: o.size,
            etagShape: /^[0-9a-f]{32}-1$/.test(o.etag),
            text: await (await bucket.get("mp/small"))?.text(),
          };
        }),
        noObject: await attempt(() => bucket.head("mp/aborted")),
      };
    },
  },
];
