import { Hono } from "hono";
import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { KvNamespaceId } from "../../../cloudflare-api/names";
import {
  KV_LIST_PER_PAGE,
  KvNamespaceCreateBody,
  KvNamespaceOrder,
  SortDirection,
} from "../../../cloudflare-api/resources";
import type { Env } from "../env";
import { parseJsonBody } from "../http/body";
import { ApiError, methodNotAllowedError } from "../http/errors";
import { enumQueryParam, intQueryParam, pageQueryParam, pageResultInfo } from "../http/query-params";
import { ok } from "../http/respond";
import type { ApiEnv } from "../http/types";
import { resourcesStoreOf } from "../resources/store";

/** Workers KV namespaces: `/accounts/:account_id/storage/kv/namespaces`. */
export const kvNamespaces = new Hono<ApiEnv>();

const notFound = () => new ApiError(404, ErrorCode.kvNamespaceNotFound, "namespace not found");
const titleExists = () =>
  new ApiError(400, ErrorCode.kvNamespaceTitleExists, "a namespace with this account ID and title already exists");

/** A namespace id that is not 32 hex digits cannot name anything; the API says so rather than "not found". */
function namespaceIdOf(raw: string): KvNamespaceId {
  const parsed = KvNamespaceId.safeParse(raw);
  if (!parsed.success) throw new ApiError(400, ErrorCode.kvInvalidRequest, "could not parse namespace id");
  return parsed.data;
}

/** Keys of every namespace share one KV store, prefixed by namespace id; deleting one deletes its keys. */
async function deleteNamespaceKeys(env: Env, namespaceId: string): Promise<void> {
  const prefix = `${namespaceId}:`;
  let cursor: string | undefined;
  do {
    const page: KVNamespaceListResult<unknown> = await env.KV_DATA.list({ prefix, cursor });
    await Promise.all(page.keys.map((key) => env.KV_DATA.delete(key.name)));
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor !== undefined);
}

kvNamespaces
  .get("/", async (c) => {
    const page = pageQueryParam(c, ErrorCode.kvInvalidRequest);
    const perPage = intQueryParam(c, "per_page", KV_LIST_PER_PAGE, ErrorCode.kvInvalidRequest);
    const order = enumQueryParam(c, "order", KvNamespaceOrder.options, ErrorCode.kvInvalidRequest) ?? "title";
    const direction = enumQueryParam(c, "direction", SortDirection.options, ErrorCode.kvInvalidRequest) ?? "asc";
    const store = resourcesStoreOf(c.env, c.get("accountId"));
    const listing = await store.listKvNamespaces({ page, perPage, order, direction });
    return ok(c, listing.items, pageResultInfo(page, perPage, listing.items.length, listing.total));
  })
  .post("/", async (c) => {
    const body = await parseJsonBody(c, KvNamespaceCreateBody, ErrorCode.kvInvalidRequest);
    const created = await resourcesStoreOf(c.env, c.get("accountId")).createKvNamespace(body.title);
    if (!created.ok) throw titleExists();
    return ok(c, created.value);
  })
  .all("/", (c) => {
    throw methodNotAllowedError(c.req.method);
  });

kvNamespaces
  .get("/:namespace_id", async (c) => {
    const id = namespaceIdOf(c.req.param("namespace_id"));
    const namespace = await resourcesStoreOf(c.env, c.get("accountId")).getKvNamespace(id);
    if (namespace === null) throw notFound();
    return ok(c, namespace);
  })
  .put("/:namespace_id", async (c) => {
    const id = namespaceIdOf(c.req.param("namespace_id"));
    const body = await parseJsonBody(c, KvNamespaceCreateBody, ErrorCode.kvInvalidRequest);
    const store = resourcesStoreOf(c.env, c.get("accountId"));
    const renamed = await store.renameKvNamespace(id, body.title);
    if (!renamed.ok) throw renamed.reason === "exists" ? titleExists() : notFound();
    return ok(c, { id, title: body.title, supports_url_encoding: true });
  })
  .delete("/:namespace_id", async (c) => {
    const id = namespaceIdOf(c.req.param("namespace_id"));
    const store = resourcesStoreOf(c.env, c.get("accountId"));
    if ((await store.getKvNamespace(id)) === null) throw notFound();
    // Keys first: if that fails part-way the namespace still exists and the delete can be retried.
    await deleteNamespaceKeys(c.env, id);
    await store.deleteKvNamespace(id);
    return ok(c, {});
  })
  .all("/:namespace_id", (c) => {
    throw methodNotAllowedError(c.req.method);
  });
