import { WorkerEntrypoint } from "cloudflare:workers";
import { KeySpace } from "../bindings/key-space";
import type { BindingKind } from "../bindings/kind";
import { type Settled, settled } from "../bindings/settled";
import type { Env } from "../env";
import source from "./binding.client.built.js";

interface KvProps {
  namespaceId: string;
}

/** The store's key limit (miniflare's, the same as Cloudflare's). */
const STORE_KEY_LIMIT = 512;

/**
 * Where tenant KV data lives in KV_DATA: the storage layout the REST API
 * shares. An id with the separator in it could name a slice inside another
 * namespace's (`a:` holds `a:b:`), so none is accepted (the emulator's ids are hex).
 */
export function kvKeySpace(namespaceId: string): KeySpace {
  if (namespaceId === "" || namespaceId.includes(":")) throw new Error(`not a KV namespace id: ${namespaceId}`);
  return new KeySpace(`${namespaceId}:`);
}

type Read = "get" | "getWithMetadata";
/** KV_DATA called with whatever the tenant passed: the real binding checks it. */
type LooseKv = Record<Read | "put" | "delete", (...args: unknown[]) => Promise<unknown>>;

/**
 * One tenant's KV namespace, handed to a loaded worker as
 * `ctx.exports.TenantKv({ props: { namespaceId } })`; its client
 * (binding.client.ts) gives the tenant the binding's own API on top of it.
 *
 * Every call goes to the real KV binding over KV_DATA with the namespace's
 * prefix on each key, so the real binding does the validating, coercing and
 * answering. What the prefix would change is done here instead: the key names
 * the runtime refuses (the empty key, "." and ".."), key-length errors (given
 * in the tenant's bytes against the tenant's limit, 512 minus the prefix), key
 * names in bulk answers and list pages, and list cursors.
 */
export class TenantKv extends WorkerEntrypoint<Env, KvProps> {
  get #space(): KeySpace {
    return kvKeySpace(this.ctx.props.namespaceId);
  }

  get #kv(): LooseKv {
    return this.env.KV_DATA as unknown as LooseKv;
  }

  // Arguments are forwarded as they came, however many: the runtime tells a
  // missing argument from an undefined one.
  get(...args: unknown[]): Promise<Settled<unknown>> {
    return settled(() => this.#read("get", args));
  }

  getWithMetadata(...args: unknown[]): Promise<Settled<unknown>> {
    return settled(() => this.#read("getWithMetadata", args));
  }

  put(...args: unknown[]): Promise<Settled<unknown>> {
    return settled(() => {
      const space = this.#space;
      return tenantErrors(space, () => this.#kv.put(...keyedArgs(space, args)));
    });
  }

  delete(...args: unknown[]): Promise<Settled<unknown>> {
    return settled(() => {
      const space = this.#space;
      return tenantErrors(space, () => this.#kv.delete(...keyedArgs(space, args)));
    });
  }

  list(options?: unknown): Promise<Settled<KVNamespaceListResult<unknown>>> {
    return settled(() => this.#list(options));
  }

  async #list(options: unknown): Promise<KVNamespaceListResult<unknown>> {
    const space = this.#space;
    if (options !== undefined && options !== null && typeof options !== "object") {
      throw new TypeError("Failed to execute 'list' on 'KvNamespace': parameter 1 is not of type 'ListOptions'.");
    }
    const { prefix, cursor, ...rest } = (options ?? {}) as { prefix?: unknown; cursor?: unknown };
    const page = await tenantErrors(space, () =>
      this.env.KV_DATA.list({
        ...rest,
        prefix: space.toStored(prefix == null ? "" : String(prefix)),
        ...(cursor == null ? {} : { cursor: space.cursorToStored(String(cursor)) }),
      }),
    );
    const keys = page.keys.map((k) => ({ ...k, name: space.fromStored(k.name) }));
    return page.list_complete ? { ...page, keys } : { ...page, keys, cursor: space.cursorFromStored(page.cursor) };
  }

  async #read(method: Read, args: unknown[]): Promise<unknown> {
    const space = this.#space;
    const kv = this.#kv;
    const [key, ...rest] = args;
    if (!Array.isArray(key)) return tenantErrors(space, () => kv[method](...keyedArgs(space, args)));
    const names = key.map(String);
    const options = rest[0];
    await this.#checkBulkNames(kv, space, names, options);
    const stored = names.map((n) => space.toStored(n));
    const answer = (await tenantErrors(space, () => kv[method](stored, ...rest))) as Map<string, unknown>;
    return new Map([...answer].map(([stored, value]) => [space.fromStored(stored), value]));
  }

  /**
   * Bulk reads are checked by the store, key by key, after the type and the
   * key count and with the cache TTL checked after the first key: a refused
   * name is reported only where the store would reach it. The store is asked
   * the same question on the names before it so that its own errors come first.
   */
  async #checkBulkNames(kv: LooseKv, space: KeySpace, names: string[], options: unknown): Promise<void> {
    if (names.length < 1 || names.length > 100) return;
    const refused = names.findIndex((name) => refusedKeyName(name) !== undefined);
    if (refused === -1) return;
    const before = names.slice(0, refused).map((n) => space.toStored(n));
    const { cacheTtl: _checkedAfterTheFirstKey, ...typeOnly } = normalisedReadOptions(options);
    // The empty name is never stored, so a probe on it reads nothing and checks only the options.
    const probe = before.length === 0 ? [space.toStored("")] : before;
    await tenantErrors(space, () => kv.get(probe, before.length === 0 ? typeOnly : options));
    const reason = refusedKeyName(names[refused] as string) as string;
    throw new Error(`KV GET_BULK failed: 400 ${BULK_REFUSALS[reason]}`);
  }
}

const BULK_REFUSALS: Record<string, string> = {
  "": "Key names must not be empty",
  ".": 'Illegal key name ".". Please use a different name.',
  "..": 'Illegal key name "..". Please use a different name.',
};

/** The names the runtime refuses before asking the store (the store would accept them behind a prefix). */
const refusedKeyName = (name: string): string | undefined =>
  name === "" || name === "." || name === ".." ? name : undefined;

/**
 * The arguments with the single key (the first) behind the prefix, refused
 * as the runtime refuses it. Any value is read as its string, `undefined`
 * too, as the runtime reads it; no arguments at all stay none, for the
 * runtime's own argument error.
 */
function keyedArgs(space: KeySpace, args: unknown[]): unknown[] {
  if (args.length === 0) return args;
  const [key, ...rest] = args;
  const name = String(key);
  if (name === "") throw new TypeError("Key name cannot be empty.");
  if (name === "." || name === "..") throw new TypeError(`"${name}" is not allowed as a key name.`);
  return [space.toStored(name), ...rest];
}

/** Read options in their object form: the type alone may be given as a string. */
function normalisedReadOptions(options: unknown): { type?: unknown; cacheTtl?: unknown } {
  if (typeof options === "string") return { type: options };
  return options !== null && typeof options === "object" ? { ...options } : {};
}

const KEY_TOO_LONG = /^(KV \w+ failed: 414 UTF-8 encoded length of )(\d+)( exceeds key length limit of )(\d+)(\.)$/;

/**
 * Runs a call on the store and gives its key-length refusal in the tenant's
 * terms: the tenant's key is shorter by the prefix and so is its limit.
 */
async function tenantErrors<T>(space: KeySpace, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const parts = error instanceof Error ? KEY_TOO_LONG.exec(error.message) : null;
    if (parts === null) throw error;
    const [, head, length, middle, , tail] = parts;
    throw new Error(
      `${head}${Number(length) - space.prefixBytes}${middle}${STORE_KEY_LIMIT - space.prefixBytes}${tail}`,
    );
  }
}

export const kvNamespaceBinding: BindingKind = {
  type: "kv_namespace",
  toEnv: (binding, exports) => exports.TenantKv?.({ props: { namespaceId: String(binding.namespace_id) } }),
  client: { module: "__wfp_kv.js", source },
};
