import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { isApiError } from "./errors";
import type { CloudflareApi } from "./transport";

/** A KV namespace, found by its title (the API has no lookup by title, so the list is searched). */
export interface KvNamespaceRef {
  readonly id: string;
  readonly title: string;
}

export async function findKvNamespace(api: CloudflareApi, title: string): Promise<KvNamespaceRef | null> {
  return api.run(`find KV namespace ${title}`, "idempotent", async () => {
    for await (const namespace of api.sdk.kv.namespaces.list({ account_id: api.accountId, per_page: 100 })) {
      if (namespace.title === title) return { id: namespace.id, title: namespace.title };
    }
    return null;
  });
}

/**
 * The namespace titled `title`, created if there is none. The create is sent
 * once; "already exists" (a concurrent or earlier create) means look it up again.
 */
export async function ensureKvNamespace(api: CloudflareApi, title: string): Promise<KvNamespaceRef> {
  const found = await findKvNamespace(api, title);
  if (found !== null) return found;
  try {
    const created = await api.run(`create KV namespace ${title}`, "once", () =>
      api.sdk.kv.namespaces.create({ account_id: api.accountId, title }),
    );
    return { id: created.id, title: created.title };
  } catch (error) {
    if (!isApiError(error, ErrorCode.kvNamespaceTitleExists)) throw error;
    const existing = await findKvNamespace(api, title);
    if (existing === null) throw error;
    return existing;
  }
}

/** Deletes a namespace; one that is not there is already deleted. */
export async function deleteKvNamespace(api: CloudflareApi, id: string): Promise<void> {
  try {
    await api.run(`delete KV namespace ${id}`, "idempotent", () =>
      api.sdk.kv.namespaces.delete(id, { account_id: api.accountId }),
    );
  } catch (error) {
    if (!isApiError(error, ErrorCode.kvNamespaceNotFound)) throw error;
  }
}
