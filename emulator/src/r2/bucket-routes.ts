import { Hono } from "hono";
import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { R2BucketName } from "../../../cloudflare-api/names";
import { R2_LIST_PER_PAGE, R2BucketCreateBody, SortDirection } from "../../../cloudflare-api/resources";
import { parseJsonBody } from "../http/body";
import { ApiError, methodNotAllowedError } from "../http/errors";
import { enumQueryParam, intQueryParam } from "../http/query-params";
import { ok } from "../http/respond";
import type { ApiEnv } from "../http/types";
import { resourcesStoreOf } from "../resources/store";

/** R2 buckets: `/accounts/:account_id/r2/buckets`. */
export const r2Buckets = new Hono<ApiEnv>();

export const bucketNotFound = () =>
  new ApiError(404, ErrorCode.r2BucketNotFound, "The specified bucket does not exist.");

export function bucketNameOf(raw: string): R2BucketName {
  const parsed = R2BucketName.safeParse(raw);
  if (!parsed.success)
    throw new ApiError(400, ErrorCode.r2InvalidBucketName, "The specified bucket name is not valid.");
  return parsed.data;
}

/**
 * List cursors in the real API's format: `1-` and base64 of the URL-encoded
 * JSON `{"v":1,"startAfter":name}` (the OpenAPI schema's example decodes so).
 * Clients treat them as opaque; the emulator only needs the last name seen.
 */
function encodeCursor(startAfter: string): string {
  return `1-${btoa(encodeURIComponent(JSON.stringify({ v: 1, startAfter })))}`;
}

function decodeCursor(cursor: string): string {
  try {
    const decoded: unknown = JSON.parse(decodeURIComponent(atob(cursor.replace(/^1-/, ""))));
    if (typeof decoded === "object" && decoded !== null && "startAfter" in decoded) {
      const { startAfter } = decoded as { startAfter: unknown };
      if (typeof startAfter === "string") return startAfter;
    }
  } catch {
    // Falls through to the refusal below, as any other unreadable cursor does.
  }
  throw new ApiError(400, ErrorCode.r2InvalidRequest, "The provided cursor is not valid.");
}

r2Buckets
  .get("/", async (c) => {
    const perPage = intQueryParam(c, "per_page", R2_LIST_PER_PAGE, ErrorCode.r2InvalidRequest);
    const direction = enumQueryParam(c, "direction", SortDirection.options, ErrorCode.r2InvalidRequest) ?? "asc";
    enumQueryParam(c, "order", ["name"], ErrorCode.r2InvalidRequest);
    const cursor = c.req.query("cursor");
    const startAfter = cursor !== undefined && cursor !== "" ? decodeCursor(cursor) : c.req.query("start_after");
    const store = resourcesStoreOf(c.env, c.get("accountId"));
    const nameContains = c.req.query("name_contains");
    const listing = await store.listR2Buckets({ perPage, direction, startAfter, nameContains });
    const last = listing.items.at(-1);
    const more = last !== undefined && listing.total > listing.items.length;
    return ok(
      c,
      { buckets: listing.items },
      more ? { cursor: encodeCursor(last.name), per_page: perPage } : { per_page: perPage },
    );
  })
  .post("/", async (c) => {
    const body = await parseJsonBody(c, R2BucketCreateBody, ErrorCode.r2InvalidRequest);
    const name = bucketNameOf(body.name);
    const created = await resourcesStoreOf(c.env, c.get("accountId")).createR2Bucket({
      name,
      location: body.locationHint,
      storageClass: body.storageClass,
    });
    if (!created.ok) {
      throw new ApiError(
        409,
        ErrorCode.r2BucketExists,
        "The bucket you tried to create already exists, and you own it.",
      );
    }
    return ok(c, created.value);
  })
  .all("/", (c) => {
    throw methodNotAllowedError(c.req.method);
  });

r2Buckets
  .get("/:bucket_name", async (c) => {
    const name = bucketNameOf(c.req.param("bucket_name"));
    const bucket = await resourcesStoreOf(c.env, c.get("accountId")).getR2Bucket(name);
    if (bucket === null) throw bucketNotFound();
    return ok(c, bucket);
  })
  .delete("/:bucket_name", async (c) => {
    const accountId = c.get("accountId");
    const name = bucketNameOf(c.req.param("bucket_name"));
    const store = resourcesStoreOf(c.env, accountId);
    if ((await store.getR2Bucket(name)) === null) throw bucketNotFound();
    // Objects of every bucket share one R2 store, keyed `${accountId}/${bucket}/${key}`.
    const objects = await c.env.R2_DATA.list({ prefix: `${accountId}/${name}/`, limit: 1 });
    if (objects.objects.length > 0) {
      throw new ApiError(
        409,
        ErrorCode.r2BucketNotEmpty,
        `The bucket you tried to delete (${name}) is not empty (account ${accountId}).`,
      );
    }
    await store.deleteR2Bucket(name);
    return ok(c, {});
  })
  .all("/:bucket_name", (c) => {
    throw methodNotAllowedError(c.req.method);
  });
