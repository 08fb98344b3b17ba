// @ts-check
// Shipped into loaded tenant workers: turns the TenantR2Bucket stub into an
// object with the R2 binding's API. Behind the stub the real R2 binding
// answers; objects cross as plain data, and this side rebuilds the runtime's
// classes around them (R2Object, R2ObjectBody, R2Checksums, multipart uploads).

import { unsettled } from "./__wfp_settled.js";

/**
 * @template T
 * @typedef {Promise<{ value: T } | { error: { name: string, message: string, domException: boolean } }>} Settled
 */
/**
 * @typedef {{
 *   key: string, version: string, size: number, etag: string, httpEtag: string, uploaded: Date,
 *   httpMetadata: Record<string, unknown> | undefined, customMetadata: Record<string, string> | undefined,
 *   range: unknown, checksums: Partial<Record<Hash, string>>, storageClass: string,
 *   ssecKeyMd5: string | undefined,
 * }} ObjectData
 * @typedef {{ objects: ObjectData[], truncated: boolean, cursor: string | undefined, delimitedPrefixes: string[] }} ListData
 * @typedef {{
 *   head(...args: unknown[]): Settled<ObjectData | null>,
 *   get(...args: unknown[]): Settled<{ object: ObjectData, body?: ReadableStream } | null>,
 *   put(...args: unknown[]): Settled<ObjectData | null>,
 *   delete(...args: unknown[]): Settled<void>,
 *   list(...args: unknown[]): Settled<ListData>,
 *   createMultipartUpload(...args: unknown[]): Settled<{ uploadId: string }>,
 *   uploadPart(key: string, uploadId: string, ...args: unknown[]): Settled<{ partNumber: number, etag: string }>,
 *   abortMultipartUpload(key: string, uploadId: string): Settled<void>,
 *   completeMultipartUpload(key: string, uploadId: string, ...args: unknown[]): Settled<ObjectData>,
 * }} TenantR2Stub
 */

/** Must match HEADERS_TAG in r2.ts: Headers cross to the emulator tagged, as their entries. */
const HEADERS_TAG = "__wfp_headers";

/** @typedef {"md5" | "sha1" | "sha256" | "sha384" | "sha512"} Hash */
/** @type {readonly Hash[]} */
const HASHES = ["md5", "sha1", "sha256", "sha384", "sha512"];

/**
 * The checksums an object was stored with: raw bytes, and hex in JSON, as the
 * runtime gives them. The JSON form names the algorithms the runtime named
 * (all five, some undefined, for a listed object; only those stored otherwise).
 */
class Checksums {
  /** @type {string[]} */
  #named;

  /** @param {Partial<Record<Hash, string>>} hex */
  constructor(hex) {
    this.#named = Object.keys(hex);
    // In the runtime's order of own properties.
    this.sha512 = bytesOf(hex.sha512);
    this.sha384 = bytesOf(hex.sha384);
    this.sha256 = bytesOf(hex.sha256);
    this.sha1 = bytesOf(hex.sha1);
    this.md5 = bytesOf(hex.md5);
  }

  toJSON() {
    /** @type {Record<string, string | undefined>} */
    const out = {};
    for (const name of this.#named) {
      const bytes = HASHES.includes(/** @type {Hash} */ (name)) ? this[/** @type {Hash} */ (name)] : undefined;
      out[name] = bytes && [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
    }
    return out;
  }
}

/** @param {string | undefined} hex */
function bytesOf(hex) {
  return hex === undefined ? undefined : hexToBuffer(hex);
}

/** @param {string} hex */
function hexToBuffer(hex) {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes.buffer;
}

/**
 * An object's metadata, as head, put, list and a failed get condition give it
 * (the runtime's R2Object, whose class is named HeadResult).
 */
class HeadResult {
  /** @param {ObjectData} data */
  constructor(data) {
    // In the runtime's order of own properties.
    this.ssecKeyMd5 = data.ssecKeyMd5;
    this.storageClass = data.storageClass;
    this.range = data.range;
    this.customMetadata = data.customMetadata;
    this.httpMetadata = data.httpMetadata;
    this.uploaded = data.uploaded;
    this.checksums = new Checksums(data.checksums);
    this.httpEtag = data.httpEtag;
    this.etag = data.etag;
    this.size = data.size;
    this.version = data.version;
    this.key = data.key;
  }

  /** @param {Headers} headers */
  writeHttpMetadata(headers) {
    const meta = /** @type {Record<string, unknown>} */ (this.httpMetadata ?? {});
    /** @type {[string, string][]} */
    const fields = [
      ["contentType", "content-type"],
      ["contentLanguage", "content-language"],
      ["contentDisposition", "content-disposition"],
      ["contentEncoding", "content-encoding"],
      ["cacheControl", "cache-control"],
    ];
    for (const [field, header] of fields) {
      if (meta[field] !== undefined) headers.set(header, String(meta[field]));
    }
    if (meta.cacheExpiry instanceof Date) headers.set("expires", meta.cacheExpiry.toUTCString());
  }
}

/**
 * An object with its body (the runtime's R2ObjectBody, class GetResult). The
 * body is read through a Response, which gives the runtime's own body
 * semantics and errors (read once, `bodyUsed`).
 */
class GetResult extends HeadResult {
  /** @type {Response} */
  #response;

  /** @param {ObjectData} data @param {ReadableStream} body */
  constructor(data, body) {
    super(data);
    this.#response = new Response(body);
  }

  get body() {
    return this.#response.body;
  }

  get bodyUsed() {
    return this.#response.bodyUsed;
  }

  arrayBuffer() {
    return this.#response.arrayBuffer();
  }

  bytes() {
    return this.#response.bytes();
  }

  text() {
    return this.#response.text();
  }

  json() {
    return this.#response.json();
  }

  /** The runtime types the blob with the object's content type. */
  async blob() {
    const type = this.httpMetadata?.contentType;
    return new Blob([await this.#response.arrayBuffer()], { type: typeof type === "string" ? type : "" });
  }
}

class R2MultipartUpload {
  /** @type {TenantR2Stub} */
  #stub;

  /** @param {TenantR2Stub} stub @param {string} key @param {string} uploadId */
  constructor(stub, key, uploadId) {
    this.#stub = stub;
    this.uploadId = uploadId;
    this.key = key;
  }

  /** @param {unknown[]} args */
  uploadPart(...args) {
    return unsettled(this.#stub.uploadPart(this.key, this.uploadId, ...args));
  }

  abort() {
    return unsettled(this.#stub.abortMultipartUpload(this.key, this.uploadId));
  }

  /** @param {unknown[]} args */
  async complete(...args) {
    return new HeadResult(await unsettled(this.#stub.completeMultipartUpload(this.key, this.uploadId, ...args)));
  }
}

/**
 * The binding's methods. Arguments go on as given, however many (the runtime
 * tells a missing argument from an undefined one), except that keys become
 * strings, as the runtime makes them, and Headers in options are tagged.
 */
class R2Bucket {
  /** @type {TenantR2Stub} */
  #stub;

  /** @param {TenantR2Stub} stub */
  constructor(stub) {
    this.#stub = stub;
  }

  /** @param {unknown[]} args */
  async head(...args) {
    const data = await unsettled(this.#stub.head(...keyed(args)));
    return data && new HeadResult(data);
  }

  /** @param {unknown[]} args */
  async get(...args) {
    const answer = await unsettled(this.#stub.get(...withTaggedHeaders(1, keyed(args))));
    if (answer === null) return null;
    return answer.body === undefined ? new HeadResult(answer.object) : new GetResult(answer.object, answer.body);
  }

  /** @param {unknown[]} args */
  async put(...args) {
    const data = await unsettled(this.#stub.put(...withTaggedHeaders(2, keyed(args))));
    return data && new HeadResult(data);
  }

  /** @param {unknown[]} args */
  delete(...args) {
    if (args.length > 0 && Array.isArray(args[0])) {
      return unsettled(this.#stub.delete(args[0].map(String), ...args.slice(1)));
    }
    return unsettled(this.#stub.delete(...keyed(args)));
  }

  /** @param {unknown[]} args */
  async list(...args) {
    const page = await unsettled(this.#stub.list(...args));
    return { ...page, objects: page.objects.map((data) => new HeadResult(data)) };
  }

  /** @param {unknown[]} args */
  async createMultipartUpload(...args) {
    const [key] = keyed(args);
    const { uploadId } = await unsettled(this.#stub.createMultipartUpload(...withTaggedHeaders(1, keyed(args))));
    return new R2MultipartUpload(this.#stub, /** @type {string} */ (key), uploadId);
  }

  /** @param {unknown} key @param {unknown} uploadId */
  resumeMultipartUpload(key, uploadId) {
    return new R2MultipartUpload(this.#stub, String(key), String(uploadId));
  }
}

/**
 * The arguments with the key (the first) as the runtime reads it: any value
 * becomes its string; no arguments stay none, for the runtime's own error.
 * @param {unknown[]} args
 * @returns {unknown[]}
 */
function keyed(args) {
  if (args.length === 0) return args;
  const [key, ...rest] = args;
  return [String(key), ...rest];
}

/**
 * The arguments with Headers in the options object (at `index`) tagged, so
 * that they cross to the emulator (which rebuilds them for the real binding).
 * @param {number} index
 * @param {unknown[]} args
 */
function withTaggedHeaders(index, args) {
  const options = args[index];
  if (options === null || typeof options !== "object" || !Object.values(options).some((v) => v instanceof Headers)) {
    return args;
  }
  /** @type {Record<string, unknown>} */
  const tagged = {};
  for (const [name, value] of Object.entries(options)) {
    tagged[name] = value instanceof Headers ? { [HEADERS_TAG]: [...value] } : value;
  }
  return args.map((arg, i) => (i === index ? tagged : arg));
}

for (const runtimeClass of [Checksums, HeadResult, GetResult, R2MultipartUpload, R2Bucket]) {
  Object.defineProperty(runtimeClass.prototype, Symbol.toStringTag, { value: runtimeClass.name });
}

/** @param {TenantR2Stub} stub */
export function wrap(stub) {
  return new R2Bucket(stub);
}
