import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { isApiError } from "./errors";
import type { CloudflareApi } from "./transport";

export interface DispatchNamespaceRef {
  readonly name: string;
  readonly id: string | undefined;
}

export async function findDispatchNamespace(api: CloudflareApi, name: string): Promise<DispatchNamespaceRef | null> {
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

/** The dispatch namespace `name`, created if there is none (sent once; "already exists" counts as done). */
export async function ensureDispatchNamespace(api: CloudflareApi, name: string): Promise<DispatchNamespaceRef> {
  const found = await findDispatchNamespace(api, name);
  if (found !== null) return found;
  try {
    const created = await api.run(`create dispatch namespace ${name}`, "once", () =>
      api.sdk.workersForPlatforms.dispatch.namespaces.create({ account_id: api.accountId, name }),
    );
    return { name, id: created.namespace_id };
  } catch (error) {
    if (!isApiError(error, ErrorCode.dispatchNamespaceExists)) throw error;
    const existing = await findDispatchNamespace(api, name);
    if (existing === null) throw error;
    return existing;
  }
}
