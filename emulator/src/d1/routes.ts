import type { Context } from "hono";
import { Hono } from "hono";
import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { D1DatabaseId, D1DatabaseName } from "../../../cloudflare-api/names";
import {
  D1_LIST_PER_PAGE,
  type D1Database,
  D1DatabaseCreateBody,
  type D1DatabaseSummary,
  D1QueryBody,
} from "../../../cloudflare-api/resources";
import { parseJsonBody } from "../http/body";
import { ApiError, methodNotAllowedError } from "../http/errors";
import { intQueryParam, pageQueryParam, pageResultInfo } from "../http/query-params";
import { ok } from "../http/respond";
import type { ApiEnv } from "../http/types";
import { resourcesStoreOf } from "../resources/store";
import { malformed, statementsOf } from "./requests";
import type { D1Format } from "./store";
import { d1DatabaseOf } from "./store";

/** D1 databases: `/accounts/:account_id/d1/database`. */
export const d1Databases = new Hono<ApiEnv>();

type ApiContext = Context<ApiEnv>;

/**
 * The database the path names, from this account's registry. An id that is
 * not a UUID cannot be decoded (400); one the account does not have could
 * not be found (404), as D1 answers both.
 */
async function databaseOf(c: ApiContext): Promise<D1DatabaseSummary> {
  const raw = c.req.param("database_id") ?? "";
  const id = D1DatabaseId.safeParse(raw);
  if (!id.success) throw malformed("failed to decode id");
  const database = await resourcesStoreOf(c.env, c.get("accountId")).getD1Database(id.data);
  if (database === null)
    throw new ApiError(404, ErrorCode.d1DatabaseNotFound, `The database ${raw} could not be found`);
  return database;
}

/** A database's record with its size and table count, which only its own object knows. */
async function withStats(c: ApiContext, database: D1DatabaseSummary): Promise<D1Database> {
  const stats = await d1DatabaseOf(c.env, database.uuid).stats();
  return { ...database, file_size: stats.fileSize, num_tables: stats.numTables };
}

async function runQuery(c: ApiContext, format: D1Format) {
  const database = await databaseOf(c);
  const body = await parseJsonBody(c, D1QueryBody, ErrorCode.d1InvalidRequest);
  const statements = statementsOf(body);
  const outcome = await d1DatabaseOf(c.env, database.uuid).run(statements, format, true);
  if (!outcome.ok) throw new ApiError(400, ErrorCode.d1QueryError, outcome.error);
  return ok(c, outcome.results);
}

d1Databases
  .get("/", async (c) => {
    const page = pageQueryParam(c, ErrorCode.d1InvalidRequest);
    const perPage = intQueryParam(c, "per_page", D1_LIST_PER_PAGE, ErrorCode.d1InvalidRequest);
    const name = c.req.query("name");
    const store = resourcesStoreOf(c.env, c.get("accountId"));
    const listing = await store.listD1Databases({ page, perPage, name });
    return ok(c, listing.items, pageResultInfo(page, perPage, listing.items.length, listing.total));
  })
  .post("/", async (c) => {
    const body = await parseJsonBody(c, D1DatabaseCreateBody, ErrorCode.d1InvalidRequest);
    const name = D1DatabaseName.safeParse(body.name);
    if (!name.success) {
      throw malformed("database name must be 1 to 64 characters of a-z, 0-9, '-' and '_', starting with a-z or 0-9");
    }
    const created = await resourcesStoreOf(c.env, c.get("accountId")).createD1Database({
      name: name.data,
      primaryLocationHint: body.primary_location_hint,
    });
    if (!created.ok) throw new ApiError(400, ErrorCode.d1DatabaseExists, "A database with that name already exists");
    return ok(c, await withStats(c, created.value));
  })
  .all("/", (c) => {
    throw methodNotAllowedError(c.req.method);
  });

d1Databases
  .get("/:database_id", async (c) => ok(c, await withStats(c, await databaseOf(c))))
  .delete("/:database_id", async (c) => {
    const database = await databaseOf(c);
    // Data first: if emptying fails the database is still listed and the delete can be retried.
    await d1DatabaseOf(c.env, database.uuid).destroy();
    await resourcesStoreOf(c.env, c.get("accountId")).deleteD1Database(database.uuid);
    return ok(c, null);
  })
  .all("/:database_id", (c) => {
    throw methodNotAllowedError(c.req.method);
  });

d1Databases
  .post("/:database_id/query", (c) => runQuery(c, "objects"))
  .all("/:database_id/query", (c) => {
    throw methodNotAllowedError(c.req.method);
  })
  .post("/:database_id/raw", (c) => runQuery(c, "raw"))
  .all("/:database_id/raw", (c) => {
    throw methodNotAllowedError(c.req.method);
  });
