import { Hono } from "hono";
import {
  CUSTOM_HOSTNAME_LIST_FILTERS,
  CUSTOM_HOSTNAMES_PER_PAGE,
  type CustomHostnameListFilter,
  FallbackOriginBody,
} from "../../../cloudflare-api/custom-hostname-requests";
import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { parseJsonBody, readBodyBytes } from "../http/body";
import { ApiError, methodNotAllowedError } from "../http/errors";
import { intQueryParam, pageQueryParam, pageResultInfo } from "../http/query-params";
import { ok } from "../http/respond";
import type { ApiEnv } from "../http/types";
import { createBodyOf, editBodyOf } from "./create-body";
import { customHostnameOf } from "./hostname-rules";
import { customHostnamesStoreOf } from "./store";
import { PLATFORM_ZONE_ID, PLATFORM_ZONE_NAME, platformZone } from "./zone";

/** `/zones`: the platform's zone, the only one the emulator has. */
export const zones = new Hono<ApiEnv>();

/** The API's answer for a zone id the token cannot see: it cannot route there. */
const zoneNotFound = (url: string) =>
  new ApiError(
    404,
    ErrorCode.invalidObjectIdentifier,
    `Could not route to ${new URL(url).pathname.replace(/^\/client\/v4/, "")}, perhaps your object identifier is invalid?`,
  );
const hostnameNotFound = () =>
  new ApiError(404, ErrorCode.customHostnameNotFound, "The custom hostname was not found.");
const invalidRequest = ErrorCode.customHostnameBadJson;

/** The one list filter the query names, or none; two at once are refused, as the API documents. */
function listFilterOf(c: { req: { query(name: string): string | undefined } }): CustomHostnameListFilter | undefined {
  const given = Object.entries(CUSTOM_HOSTNAME_LIST_FILTERS).flatMap(([key, match]) => {
    const value = c.req.query(key);
    return value === undefined
      ? []
      : [{ key, match, value: match === "id" ? value.trim() : value.trim().toLowerCase() }];
  });
  if (given.length > 1) {
    throw new ApiError(
      400,
      invalidRequest,
      `${given.map((filter) => filter.key).join(" and ")} cannot be used together.`,
    );
  }
  const [filter] = given;
  return filter === undefined ? undefined : { match: filter.match, value: filter.value };
}

/** The body as JSON, or 1400 (the JSON shape is checked by the caller, field by field). */
async function jsonOf(c: Parameters<typeof readBodyBytes>[0]): Promise<unknown> {
  const bytes = await readBodyBytes(c, invalidRequest);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new ApiError(400, invalidRequest, "Unable to decode the JSON request body.");
  }
}

zones.get("/", (c) => {
  const name = c.req.query("name");
  const zone = platformZone(c.req.query("account.id"));
  const listed = name === undefined || name === zone.name ? [zone] : [];
  return ok(c, listed, { page: 1, per_page: 20, count: listed.length, total_count: listed.length, total_pages: 1 });
});

/** Every route below names the zone; any other zone id is not this token's. */
zones.use("/:zone_id/*", async (c, next) => {
  if (c.req.param("zone_id") !== PLATFORM_ZONE_ID) throw zoneNotFound(c.req.url);
  await next();
});
zones.get("/:zone_id", (c) => {
  if (c.req.param("zone_id") !== PLATFORM_ZONE_ID) throw zoneNotFound(c.req.url);
  return ok(c, platformZone());
});

const hostnames = new Hono<ApiEnv>();

hostnames
  .get("/fallback_origin", async (c) => {
    const origin = await customHostnamesStoreOf(c.env).fallbackOrigin();
    if (origin === null) throw new ApiError(404, ErrorCode.customHostnameNotFound, "No fallback origin is set.");
    return ok(c, origin);
  })
  .put("/fallback_origin", async (c) => {
    const body = await parseJsonBody(c, FallbackOriginBody, invalidRequest);
    return ok(c, await customHostnamesStoreOf(c.env).setFallbackOrigin(body.origin.toLowerCase()));
  })
  .delete("/fallback_origin", async (c) => {
    const removed = await customHostnamesStoreOf(c.env).deleteFallbackOrigin();
    if (removed === null) throw new ApiError(404, ErrorCode.customHostnameNotFound, "No fallback origin is set.");
    return ok(c, { ...removed, status: "pending_deletion" });
  })
  .all("/fallback_origin", (c) => {
    throw methodNotAllowedError(c.req.method);
  });

hostnames
  .get("/", async (c) => {
    const filter = listFilterOf(c);
    const page = pageQueryParam(c, invalidRequest);
    const perPage = intQueryParam(c, "per_page", CUSTOM_HOSTNAMES_PER_PAGE, invalidRequest);
    const listing = await customHostnamesStoreOf(c.env).list({ filter, page, perPage });
    return ok(c, listing.items, pageResultInfo(page, perPage, listing.items.length, listing.total));
  })
  .post("/", async (c) => {
    const body = createBodyOf(await jsonOf(c));
    const hostname = customHostnameOf(body.hostname, PLATFORM_ZONE_NAME);
    const created = await customHostnamesStoreOf(c.env).create({
      hostname,
      method: body.ssl.method,
      settings: body.ssl.settings ?? {},
      customMetadata: body.custom_metadata,
    });
    if (!created.ok) throw new ApiError(409, ErrorCode.customHostnameExists, "Duplicate custom hostname found.");
    // Created: 201, as Cloudflare documents for this endpoint.
    return ok(c, created.value, undefined, 201);
  })
  .all("/", (c) => {
    throw methodNotAllowedError(c.req.method);
  });

hostnames
  .get("/:custom_hostname_id", async (c) => {
    const found = await customHostnamesStoreOf(c.env).get(c.req.param("custom_hostname_id"));
    if (found === null) throw hostnameNotFound();
    return ok(c, found);
  })
  .patch("/:custom_hostname_id", async (c) => {
    const body = editBodyOf(await jsonOf(c));
    const edited = await customHostnamesStoreOf(c.env).edit(c.req.param("custom_hostname_id"), {
      refresh: body.ssl === undefined && body.custom_metadata === undefined && body.custom_origin_server === undefined,
      method: body.ssl?.method,
      settings: body.ssl?.settings,
      customMetadata: body.custom_metadata,
    });
    if (edited === null) throw hostnameNotFound();
    // Accepted: 202, as Cloudflare documents (validation is tried again).
    return ok(c, edited, undefined, 202);
  })
  .delete("/:custom_hostname_id", async (c) => {
    const id = c.req.param("custom_hostname_id");
    if (!(await customHostnamesStoreOf(c.env).delete(id))) throw hostnameNotFound();
    return ok(c, { id });
  })
  .all("/:custom_hostname_id", (c) => {
    throw methodNotAllowedError(c.req.method);
  });

// Hono copies a sub-app's routes when it is mounted: mount it once they are all defined.
zones.route("/:zone_id/custom_hostnames", hostnames);
