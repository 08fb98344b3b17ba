import type { Context } from "hono";
import { Hono } from "hono";
import { ErrorCode } from "../../../cloudflare-api/error-codes";
import type { R2BucketName } from "../../../cloudflare-api/names";
import { utf8Length } from "../bindings/key-space";
import { readBodyBytes } from "../http/body";
import { ApiError, methodNotAllowedError } from "../http/errors";
import { intQueryParam } from "../http/query-params";
import { ok } from "../http/respond";
import type { ApiEnv } from "../http/types";
import { resourcesStoreOf } from "../resources/store";
import { r2KeySpace } from "./binding";
import { bucketNameOf, bucketNotFound } from "./bucket-routes";

/**
 * R2 objects through the REST API:
 * `/accounts/:account_id/r2/buckets/:bucket_name/objects[/:object_key]`.
 * These paths are newer than the OpenAPI extract; the shapes follow the
 * official SDK (cloudflare 7.x, `r2.buckets.objects`: ObjectListResponse,
 * ObjectUploadResponse, ObjectDeleteResponse, CursorPagination) and the API
 * reference (developers.cloudflare.com/api/resources/r2/subresources/buckets/
 * subresources/objects). The objects are the ones a tenant Worker's R2
 * binding sees: the same R2_DATA slice (`r2KeySpace`).
 */
export const r2Objects = new Hono<ApiEnv>();

/** The API reference bounds `per_page` to 1..1000; the default is not published (1000 is R2's own list maximum). */
const OBJECTS_PER_PAGE = { min: 1, max: 1000, default: 1000 } as const;

/** R2's NoSuchKey (developers.cloudflare.com/r2/api/error-codes). */
const noSuchKey = () => new ApiError(404, ErrorCode.r2ObjectNotFound, "The specified key does not exist.");

/** The bucket named in the path, refused as the bucket routes refuse it when it is not valid or not there. */
async function bucketOf(c: Context<ApiEnv>): Promise<R2BucketName> {
  const name = bucketNameOf(c.req.param("bucket_name") ?? "");
  if ((await resourcesStoreOf(c.env, c.get("accountId")).getR2Bucket(name)) === null) throw bucketNotFound();
  return name;
}

const spaceOf = (c: Context<ApiEnv>, bucket: R2BucketName) => r2KeySpace(c.get("accountId"), bucket);

/** R2's bound on an object's key, in bytes. */
const MAX_STORED_KEY_BYTES = 1024;

/**
 * The stored key of the object named in the path, refused as R2 refuses a name it cannot hold. The
 * account's and bucket's prefix shares R2's 1024 bytes, so keys here are that much shorter (emulator/README.md).
 */
function storedKeyOf(c: Context<ApiEnv>, bucket: R2BucketName): { key: string; stored: string } {
  const key = c.req.param("object_key") ?? "";
  const stored = spaceOf(c, bucket).toStored(key);
  if (key === "" || utf8Length(stored) > MAX_STORED_KEY_BYTES) {
    throw new ApiError(400, ErrorCode.r2InvalidObjectName, "The specified object name is not valid.");
  }
  return { key, stored };
}

/** An object's metadata as List Objects answers it (the SDK's ObjectListResponse). */
function listedObject(key: string, object: R2Object) {
  const http = object.httpMetadata ?? {};
  return {
    key,
    size: object.size,
    etag: object.etag,
    last_modified: object.uploaded.toISOString(),
    http_metadata: {
      ...(http.contentType === undefined ? {} : { contentType: http.contentType }),
      ...(http.contentLanguage === undefined ? {} : { contentLanguage: http.contentLanguage }),
      ...(http.contentDisposition === undefined ? {} : { contentDisposition: http.contentDisposition }),
      ...(http.contentEncoding === undefined ? {} : { contentEncoding: http.contentEncoding }),
      ...(http.cacheControl === undefined ? {} : { cacheControl: http.cacheControl }),
      ...(http.cacheExpiry === undefined ? {} : { cacheExpiry: http.cacheExpiry.toISOString() }),
    },
    custom_metadata: object.customMetadata ?? {},
    storage_class: object.storageClass === "InfrequentAccess" ? "InfrequentAccess" : "Standard",
  };
}

r2Objects
  .get("/", async (c) => {
    const bucket = await bucketOf(c);
    const perPage = intQueryParam(c, "per_page", OBJECTS_PER_PAGE, ErrorCode.r2InvalidRequest);
    if ((c.req.query("delimiter") ?? "") !== "") {
      // Where the API reports delimited prefixes is not documented; refusing beats answering without them.
      throw new ApiError(400, ErrorCode.r2InvalidRequest, "The emulator does not support delimiter on List Objects.");
    }
    const space = spaceOf(c, bucket);
    const cursor = c.req.query("cursor");
    const startAfter = c.req.query("start_after");
    const page = await c.env.R2_DATA.list({
      prefix: space.toStored(c.req.query("prefix") ?? ""),
      limit: perPage,
      include: ["httpMetadata", "customMetadata"],
      ...(cursor === undefined || cursor === "" ? {} : { cursor: space.cursorToStored(cursor) }),
      ...(startAfter === undefined || startAfter === "" ? {} : { startAfter: space.toStored(startAfter) }),
    });
    const objects = page.objects.map((object) => listedObject(space.fromStored(object.key), object));
    // The SDK's CursorPagination asks for the next page while result_info.cursor is set.
    return ok(
      c,
      objects,
      page.truncated
        ? { cursor: space.cursorFromStored(page.cursor), per_page: perPage, count: objects.length }
        : { per_page: perPage, count: objects.length },
    );
  })
  .all("/", (c) => {
    throw methodNotAllowedError(c.req.method);
  });

r2Objects
  .get("/:object_key{.+}", async (c) => {
    const { stored } = storedKeyOf(c, await bucketOf(c));
    const object = await c.env.R2_DATA.get(stored);
    if (object === null) throw noSuchKey();
    const headers = new Headers({ etag: object.httpEtag, "last-modified": object.uploaded.toUTCString() });
    object.writeHttpMetadata(headers);
    if (!headers.has("content-type")) headers.set("content-type", "application/octet-stream");
    return new Response(object.body, { headers });
  })
  .put("/:object_key{.+}", async (c) => {
    const { key, stored } = storedKeyOf(c, await bucketOf(c));
    const body = await readBodyBytes(c, ErrorCode.r2InvalidRequest);
    const contentType = c.req.header("content-type");
    const object = await c.env.R2_DATA.put(stored, body, {
      ...(contentType === undefined ? {} : { httpMetadata: { contentType } }),
    });
    // The SDK's ObjectUploadResponse: the size is a string there.
    return ok(c, {
      key,
      size: String(object.size),
      etag: object.etag,
      version: object.version,
      uploaded: object.uploaded.toISOString(),
      storage_class: object.storageClass === "InfrequentAccess" ? "InfrequentAccess" : "Standard",
    });
  })
  .delete("/:object_key{.+}", async (c) => {
    const { key, stored } = storedKeyOf(c, await bucketOf(c));
    // Deleting a key that is not there succeeds, as R2's (and S3's) DeleteObject does.
    await c.env.R2_DATA.delete(stored);
    return ok(c, { key });
  })
  .all("/:object_key{.+}", (c) => {
    throw methodNotAllowedError(c.req.method);
  });
