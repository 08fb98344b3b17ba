import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { deleteIfPresent } from "./delete-if-present";
import { createOrFind } from "./find-or-create";
import type { CloudflareApi } from "./transport";

/** A KV namespace, found by its title (the API has no lookup by title, so the list is searched). */
export interface KvNamespaceRef {
  readonly id: string;
  readonly title: string;
}

/** Workers KV namespaces. */
export class KvNamespaces {
  constructor(private readonly api: CloudflareApi) {}

  async find(title: string): Promise<KvNamespaceRef | null> {
    const { api } = this;
    return api.run(`find KV namespace ${title}`, "idempotent", async () => {
      for await (const namespace of api.sdk.kv.namespaces.list({ account_id: api.accountId, per_page: 100 })) {
        if (namespace.title === title) return { id: namespace.id, title: namespace.title };
      }
      return null;
    });
  }

  /** The namespace titled `title`, created (one call) or, if it exists, found by its title. */
  ensure(title: string): Promise<KvNamespaceRef> {
    const { api } = this;
    return createOrFind({
      find: () => this.find(title),
      create: async () => {
        const created = await api.run(`create KV namespace ${title}`, "once", () =>
          api.sdk.kv.namespaces.create({ account_id: api.accountId, title }),
        );
        return { id: created.id, title: created.title };
      },
      existsCode: ErrorCode.kvNamespaceTitleExists,
    });
  }

  /** Deletes a namespace; one that is not there is already deleted. */
  async delete(id: string): Promise<void> {
    const { api } = this;
    await deleteIfPresent(
      () =>
        api.run(`delete KV namespace ${id}`, "idempotent", () =>
          api.sdk.kv.namespaces.delete(id, { account_id: api.accountId }),
        ),
      ErrorCode.kvNamespaceNotFound,
    );
  }
}
