import type { AccountId } from "../../../cloudflare-api/names";

/** Which uploaded script a loaded worker runs as: every tenant-scoped binding is built from this. */
export interface RunScope {
  accountId: AccountId;
  namespace: string;
  script: string;
}

/** A binding as stored with an uploaded script: its `type`, its `name`, and the type's own fields. */
export interface StoredBinding {
  type: string;
  name: string;
  [field: string]: unknown;
}

/**
 * The emulator's `ctx.exports`: entrypoints with props become tenant-scoped
 * stubs (a KV binding is `exports.TenantKv({ props: { namespaceId } })`).
 */
export type Exports = Record<string, (options: { props: unknown }) => unknown>;

/**
 * One kind of binding a loaded tenant worker can receive, in the shape of
 * miniflare's plugin-per-binding layout: each kind in its own module says what
 * the loaded worker's env holds for it and, where a stub alone cannot look
 * like the real binding, which client module turns the stub into the real API.
 */
export interface BindingKind {
  type: string;
  /** The value placed in the loaded worker's env under the binding's name; `etag` names the version that runs. */
  toEnv(binding: StoredBinding, exports: Exports, scope: RunScope, etag: string): unknown;
  /**
   * A client module shipped verbatim into the loaded worker. It must export
   * `wrap(stub)`, returning an object with the real binding's methods and
   * return shapes. `source` is the module text (a `*.client.ts` file, built
   * into the `*.client.built.js` beside it, which wrangler imports as text).
   */
  client?: { module: string; source: string };
}
