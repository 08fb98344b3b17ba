import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { isApiError } from "./errors";
import { findOrCreate } from "./find-or-create";
import type { CloudflareApi } from "./transport";

export interface DispatchNamespaceRef {
  readonly name: string;
  readonly id: string | undefined;
}

/** Workers for Platforms dispatch namespaces. */
export class DispatchNamespaces {
  constructor(private readonly api: CloudflareApi) {}

  async find(name: string): Promise<DispatchNamespaceRef | null> {
    const { api } = this;
    try {
      const found = await api.run(`get dispatch namespace ${name}`, "idempotent", () =>
        api.sdk.workersForPlatforms.dispatch.namespaces.get(name, { account_id: api.accountId }),
      );
      return { name, id: found.namespace_id };
    } catch (error) {
      if (isApiError(error, ErrorCode.dispatchNamespaceNotFound)) return null;
      throw error;
    }
  }

  /** The dispatch namespace `name`, created if there is none. */
  ensure(name: string): Promise<DispatchNamespaceRef> {
    const { api } = this;
    return findOrCreate({
      find: () => this.find(name),
      create: async () => {
        const created = await api.run(`create dispatch namespace ${name}`, "once", () =>
          api.sdk.workersForPlatforms.dispatch.namespaces.create({ account_id: api.accountId, name }),
        );
        return { name, id: created.namespace_id };
      },
      existsCode: ErrorCode.dispatchNamespaceExists,
    });
  }
}
