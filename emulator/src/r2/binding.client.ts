// Shipped into loaded tenant workers: turns the TenantR2Bucket stub into an
// object with the R2 binding's API. Behind the stub the real R2 binding
// answers; objects cross as plain data, and this side rebuilds the runtime's
// classes around them (R2Object, R2ObjectBody, R2Checksums, multipart uploads).

import type { Settled } from "../bindings/settled.ts";
import { unsettled } from "../dispatch/runtime/settled.client.ts";
import type { R2ListData, R2ObjectData } from "./binding.ts";
import { HEADERS_TAG } from "./headers-tag.ts";

type Call<T> = (...args: unknown[]) => Promise<Settled<T>>;

/** The TenantR2Bucket entrypoint (binding.ts) as the loaded worker holds it. */
interface TenantR2Stub {
  head: Call<R2ObjectData | null>;
  get: Call<{ object: R2ObjectData; body?: ReadableStream } | null>;
  put: Call<R2ObjectData | null>;
  delete: Call<void>;
  list: Call<R2ListData>;
  createMultipartUpload: Call<{ uploadId: string }>;
  uploadPart(key: string, uploadId: string, ...args: unknown[]): Promise<Settled<{ partNumber: number; etag: string }>>;
  abortMultipartUpload(key: string, uploadId: string): Promise<Settled<void>>;
  completeMultipartUpload(key: string, uploadId: string, ...args: unknown[]): Promise<Settled<R2ObjectData>>;
}

type Hash = keyof R2StringChecksums;
const HASHES: readonly Hash[] = ["md5", "sha1", "sha256", "sha384", "sha512"];

/**
 * The checksums an object was stored with: raw bytes, and hex in JSON, as the
 * runtime gives them. The JSON form names the algorithms the runtime named
 * (all five, some undefined, for a listed object; only those stored otherwise).
 */
class Checksums {
  #named: string[];
  // `declare`d, not initialised: own properties in the order the constructor sets them.
  declare sha512: ArrayBuffer | undefined;
  declare sha384: ArrayBuffer | undefined;
  declare sha256: ArrayBuffer | undefined;
  declare sha1: ArrayBuffer | undefined;
  declare md5: ArrayBuffer | undefined;

  constructor(hex: R2StringChecksums) {
    this.#named = Object.keys(hex);
    // In the runtime's order of own properties.
    this.sha512 = bytesOf(hex.sha512);
    this.sha384 = bytesOf(hex.sha384);
    this.sha256 = bytesOf(hex.sha256);
    this.sha1 = bytesOf(hex.sha1);
    this.md5 = bytesOf(hex.md5);
  }

  toJSON(): Record<string, string | undefined> {
    const out: Record<string, string | undefined> = {};
    for (const name of this.#named) {
      const bytes = HASHES.includes(name as Hash) ? this[name as Hash] : undefined;
      out[name] = bytes && [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
    }
    return out;
  }
}

function bytesOf(hex: string | undefined): ArrayBuffer | undefined {
  return hex === undefined ? undefined : hexToBuffer(hex);
}

function hexToBuffer(hex: string): ArrayBuffer {
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes.buffer;
}

/**
 * An object's metadata, as head, put, list and a failed get condition give it
 * (the runtime's R2Object, whose class is named HeadResult).
 */
class HeadResult {
  declare ssecKeyMd5: string | undefined;
  declare storageClass: string;
  declare range: R2Range | undefined;
  declare customMetadata: Record<string, string> | undefined;
  declare httpMetadata: R2HTTPMetadata | undefined;
  declare uploaded: Date;
  declare checksums: Checksums;
  declare httpEtag: string;
  declare etag: string;
  declare size: number;
  declare version: string;
  declare key: string;

  constructor(data: R2ObjectData) {
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

  writeHttpMetadata(headers: Headers): void {
    const meta = (this.httpMetadata ?? {}) as Record<string, unknown>;
    const fields: [string, string][] = [
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
  #response: Response;

  constructor(data: R2ObjectData, body: ReadableStream) {
    super(data);
    this.#response = new Response(body);
  }

  get body(): ReadableStream | null {
    return this.#response.body;
  }

  get bodyUsed(): boolean {
    return this.#response.bodyUsed;
  }

  arrayBuffer(): Promise<ArrayBuffer> {
    return this.#response.arrayBuffer();
  }

  bytes(): Promise<Uint8Array> {
    return this.#response.bytes();
  }

  text(): Promise<string> {
    return this.#response.text();
  }

  json<T>(): Promise<T> {
    return this.#response.json();
  }

  /** The runtime types the blob with the object's content type. */
  async blob(): Promise<Blob> {
    const type = this.httpMetadata?.contentType;
    return new Blob([await this.#response.arrayBuffer()], { type: typeof type === "string" ? type : "" });
  }
}

class R2MultipartUpload {
  #stub: TenantR2Stub;
  declare uploadId: string;
  declare key: string;

  constructor(stub: TenantR2Stub, key: string, uploadId: string) {
    this.#stub = stub;
    this.uploadId = uploadId;
    this.key = key;
  }

  uploadPart(...args: unknown[]): Promise<{ partNumber: number; etag: string }> {
    return unsettled(this.#stub.uploadPart(this.key, this.uploadId, ...args));
  }

  abort(): Promise<void> {
    return unsettled(this.#stub.abortMultipartUpload(this.key, this.uploadId));
  }

  async complete(...args: unknown[]): Promise<HeadResult> {
    return new HeadResult(await unsettled(this.#stub.completeMultipartUpload(this.key, this.uploadId, ...args)));
  }
}

/**
 * The binding's methods. Arguments go on as given, however many (the runtime
 * tells a missing argument from an undefined one), except that keys become
 * strings, as the runtime makes them, and Headers in options are tagged.
 */
class R2Bucket {
  #stub: TenantR2Stub;

  constructor(stub: TenantR2Stub) {
    this.#stub = stub;
  }

  async head(...args: unknown[]): Promise<HeadResult | null> {
    const data = await unsettled(this.#stub.head(...keyed(args)));
    return data && new HeadResult(data);
  }

  async get(...args: unknown[]): Promise<HeadResult | GetResult | null> {
    const answer = await unsettled(this.#stub.get(...withTaggedHeaders(1, keyed(args))));
    if (answer === null) return null;
    return answer.body === undefined ? new HeadResult(answer.object) : new GetResult(answer.object, answer.body);
  }

  async put(...args: unknown[]): Promise<HeadResult | null> {
    const data = await unsettled(this.#stub.put(...withTaggedHeaders(2, keyed(args))));
    return data && new HeadResult(data);
  }

  delete(...args: unknown[]): Promise<void> {
    if (args.length > 0 && Array.isArray(args[0])) {
      return unsettled(this.#stub.delete(args[0].map(String), ...args.slice(1)));
    }
    return unsettled(this.#stub.delete(...keyed(args)));
  }

  async list(...args: unknown[]): Promise<Omit<R2ListData, "objects"> & { objects: HeadResult[] }> {
    const page = await unsettled(this.#stub.list(...args));
    return { ...page, objects: page.objects.map((data) => new HeadResult(data)) };
  }

  async createMultipartUpload(...args: unknown[]): Promise<R2MultipartUpload> {
    const [key] = keyed(args);
    const { uploadId } = await unsettled(this.#stub.createMultipartUpload(...withTaggedHeaders(1, keyed(args))));
    return new R2MultipartUpload(this.#stub, key as string, uploadId);
  }

  resumeMultipartUpload(key: unknown, uploadId: unknown): R2MultipartUpload {
    return new R2MultipartUpload(this.#stub, String(key), String(uploadId));
  }
}

/**
 * The arguments with the key (the first) as the runtime reads it: any value
 * becomes its string; no arguments stay none, for the runtime's own error.
 */
function keyed(args: unknown[]): unknown[] {
  if (args.length === 0) return args;
  const [key, ...rest] = args;
  return [String(key), ...rest];
}

/**
 * The arguments with Headers in the options object (at `index`) tagged, so
 * that they cross to the emulator (which rebuilds them for the real binding).
 */
function withTaggedHeaders(index: number, args: unknown[]): unknown[] {
  const options = args[index];
  if (options === null || typeof options !== "object" || !Object.values(options).some((v) => v instanceof Headers)) {
    return args;
  }
  const tagged: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    tagged[name] = value instanceof Headers ? { [HEADERS_TAG]: [...value] } : value;
  }
  return args.map((arg, i) => (i === index ? tagged : arg));
}

for (const runtimeClass of [Checksums, HeadResult, GetResult, R2MultipartUpload, R2Bucket]) {
  Object.defineProperty(runtimeClass.prototype, Symbol.toStringTag, { value: runtimeClass.name });
}

export function wrap(stub: TenantR2Stub): R2Bucket {
  return new R2Bucket(stub);
}
