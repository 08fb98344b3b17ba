import { WorkerEntrypoint } from "cloudflare:workers";
import { KeySpace } from "../bindings/key-space";
import type { BindingKind } from "../bindings/kind";
import { type Settled, settled } from "../bindings/settled";
import type { Env } from "../env";
import source from "./binding.client.built.js";
import { HEADERS_TAG } from "./headers-tag";

interface R2Props {
  accountId: string;
  bucketName: string;
}

/**
 * Where a tenant bucket's objects live in R2_DATA: the storage layout the REST
 * API shares. A name with the separator in it could name a slice inside
 * another bucket's (`a/b/` holds `a/b/c/`), so none is accepted (account ids
 * are hex and bucket names cannot hold a "/").
 */
export function r2KeySpace(accountId: string, bucketName: string): KeySpace {
  for (const part of [accountId, bucketName]) {
    if (part === "" || part.includes("/")) throw new Error(`not an account id or bucket name: ${part}`);
  }
  return new KeySpace(`${accountId}/${bucketName}/`);
}

/**
 * An R2 object as it crosses to the loaded worker, where the client rebuilds
 * the runtime's classes around it. Field values are the real binding's, the
 * key the tenant's and the checksums in their JSON (hex) form.
 */
export interface R2ObjectData {
  key: string;
  version: string;
  size: number;
  etag: string;
  httpEtag: string;
  uploaded: Date;
  httpMetadata: R2HTTPMetadata | undefined;
  customMetadata: Record<string, string> | undefined;
  range: R2Range | undefined;
  checksums: R2StringChecksums;
  storageClass: string;
  ssecKeyMd5: string | undefined;
}

export interface R2ListData {
  objects: R2ObjectData[];
  truncated: boolean;
  cursor: string | undefined;
  delimitedPrefixes: string[];
}

/** A binding called with whatever the tenant passed: the real binding checks the arguments itself. */
type Loose<T> = { [K in keyof T]: T[K] extends (...args: never[]) => infer R ? (...args: unknown[]) => R : T[K] };

/**
 * One tenant's R2 bucket, handed to a loaded worker as
 * `ctx.exports.TenantR2Bucket({ props: { accountId, bucketName } })`; its
 * client (binding.client.ts) gives the tenant the binding's own API and classes.
 *
 * Every call goes to the real R2 binding over R2_DATA with the bucket's
 * prefix on each key (and on list prefixes, start-after keys and cursors),
 * so the real binding validates, stores and answers; keys, delimited
 * prefixes and cursors are handed back in the tenant's terms.
 */
export class TenantR2Bucket extends WorkerEntrypoint<Env, R2Props> {
  get #space(): KeySpace {
    return r2KeySpace(this.ctx.props.accountId, this.ctx.props.bucketName);
  }

  get #bucket(): Loose<R2Bucket> {
    return this.env.R2_DATA as unknown as Loose<R2Bucket>;
  }

  head(...args: unknown[]): Promise<Settled<R2ObjectData | null>> {
    return settled(async () => {
      const space = this.#space;
      const object = await this.#bucket.head(...keyedArgs(space, args));
      return object && objectData(space, object);
    });
  }

  get(...args: unknown[]): Promise<Settled<{ object: R2ObjectData; body?: ReadableStream } | null>> {
    return settled(async () => {
      const space = this.#space;
      const object = await this.#bucket.get(...withOptionsAt(1, keyedArgs(space, args)));
      if (object === null) return null;
      // A failed condition gives the object without its body, as the real binding does.
      return "body" in object
        ? { object: objectData(space, object), body: object.body }
        : { object: objectData(space, object) };
    });
  }

  put(...args: unknown[]): Promise<Settled<R2ObjectData | null>> {
    return settled(async () => {
      const space = this.#space;
      const object = await this.#bucket.put(...withOptionsAt(2, keyedArgs(space, args)));
      return object && objectData(space, object);
    });
  }

  delete(...args: unknown[]): Promise<Settled<void>> {
    return settled(async () => {
      const space = this.#space;
      if (args.length === 0 || !Array.isArray(args[0])) return this.#bucket.delete(...keyedArgs(space, args));
      const [keys, ...rest] = args;
      return this.#bucket.delete(
        keys.map((key) => space.toStored(String(key))),
        ...rest,
      );
    });
  }

  list(...args: unknown[]): Promise<Settled<R2ListData>> {
    return settled(async () => {
      const space = this.#space;
      const [options, ...rest] = args;
      await this.#refuseMistypedListOptions(options);
      const page = await this.#bucket.list(storedListOptions(space, options), ...rest);
      return {
        objects: page.objects.map((object) => objectData(space, object)),
        truncated: page.truncated,
        // The real page has a cursor field even when it is complete (undefined then).
        cursor: page.truncated ? space.cursorFromStored(page.cursor) : undefined,
        delimitedPrefixes: page.delimitedPrefixes.map((prefix) => space.fromStored(prefix)),
      };
    });
  }

  /**
   * The runtime refuses list options of the wrong type (a prefix that is not a
   * string, say) with errors of its own, which depend on every field. They
   * come from the real binding given the tenant's options as they are; no
   * listing happens then, and if one ever did its answer would be dropped.
   */
  async #refuseMistypedListOptions(options: unknown): Promise<void> {
    if (options === undefined || options === null) return;
    if (typeof options !== "object") {
      throw new TypeError("Failed to execute 'list' on 'R2Bucket': parameter 1 is not of type 'ListOptions'.");
    }
    const fields = options as Record<string, unknown>;
    if (!LIST_KEY_FIELDS.some((field) => fields[field] !== undefined && typeof fields[field] !== "string")) return;
    await this.#bucket.list(options);
    throw new TypeError("Incorrect type for a key field on 'ListOptions': the provided value is not of type 'string'.");
  }

  createMultipartUpload(...args: unknown[]): Promise<Settled<{ uploadId: string }>> {
    return settled(async () => {
      const upload = await this.#bucket.createMultipartUpload(...withOptionsAt(1, keyedArgs(this.#space, args)));
      return { uploadId: upload.uploadId };
    });
  }

  // The client's multipart upload object names its key and upload id on each
  // call, as the runtime's does; the upload id is bound to the stored key, so
  // one bucket's uploads cannot be reached from another.
  uploadPart(key: unknown, uploadId: unknown, ...args: unknown[]): Promise<Settled<R2UploadedPart>> {
    return settled(() => this.#upload(key, uploadId).uploadPart(...args));
  }

  abortMultipartUpload(key: unknown, uploadId: unknown): Promise<Settled<void>> {
    return settled(() => this.#upload(key, uploadId).abort());
  }

  completeMultipartUpload(key: unknown, uploadId: unknown, ...args: unknown[]): Promise<Settled<R2ObjectData>> {
    return settled(async () => objectData(this.#space, await this.#upload(key, uploadId).complete(...args)));
  }

  #upload(key: unknown, uploadId: unknown): Loose<R2MultipartUpload> {
    const upload = this.env.R2_DATA.resumeMultipartUpload(this.#space.toStored(String(key)), String(uploadId));
    return upload as unknown as Loose<R2MultipartUpload>;
  }
}

/** The arguments with the key (the first) behind the prefix, read as the runtime reads it; no arguments stay none. */
function keyedArgs(space: KeySpace, args: unknown[]): unknown[] {
  if (args.length === 0) return args;
  const [key, ...rest] = args;
  return [space.toStored(String(key)), ...rest];
}

/** The list options that name keys: the prefix goes on each. */
const LIST_KEY_FIELDS = ["prefix", "startAfter", "cursor"] as const;

/** List options behind the prefix (checked by `#refuseMistypedListOptions` first: keys are strings or absent). */
function storedListOptions(space: KeySpace, options: unknown): R2ListOptions {
  const { prefix, startAfter, cursor, ...rest } = (options ?? {}) as Record<string, string | undefined>;
  return {
    ...rest,
    prefix: space.toStored(prefix ?? ""),
    ...(startAfter === undefined ? {} : { startAfter: space.toStored(startAfter) }),
    ...(cursor === undefined ? {} : { cursor: space.cursorToStored(cursor) }),
  };
}

/** The arguments with the options object (at `index`) given back the Headers the client tagged. */
function withOptionsAt(index: number, args: unknown[]): unknown[] {
  const options = args[index];
  if (options === null || typeof options !== "object" || !Object.values(options).some(isTaggedHeaders)) return args;
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    out[name] = isTaggedHeaders(value) ? new Headers(value[HEADERS_TAG]) : value;
  }
  return args.map((arg, i) => (i === index ? out : arg));
}

function isTaggedHeaders(value: unknown): value is { [HEADERS_TAG]: [string, string][] } {
  return value !== null && typeof value === "object" && HEADERS_TAG in value;
}

function objectData(space: KeySpace, object: R2Object): R2ObjectData {
  return {
    key: space.fromStored(object.key),
    version: object.version,
    size: object.size,
    etag: object.etag,
    httpEtag: object.httpEtag,
    uploaded: object.uploaded,
    httpMetadata: object.httpMetadata,
    customMetadata: object.customMetadata,
    range: object.range,
    checksums: object.checksums.toJSON(),
    storageClass: object.storageClass,
    ssecKeyMd5: object.ssecKeyMd5,
  };
}

export const r2BucketBinding: BindingKind = {
  type: "r2_bucket",
  toEnv: (binding, exports, scope) =>
    exports.TenantR2Bucket?.({ props: { accountId: scope.accountId, bucketName: String(binding.bucket_name) } }),
  client: { module: "__wfp_r2.js", source },
};
