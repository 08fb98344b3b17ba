import { WorkerEntrypoint } from "cloudflare:workers";
import { z } from "zod";
import type { AccountId } from "../../../cloudflare-api/names";
import { type D1QueryMeta, D1Value } from "../../../cloudflare-api/resources";
import type { BindingKind, StoredBinding } from "../bindings/kind";
import type { Env } from "../env";
import { resourcesStoreOf } from "../resources/store";
import source from "./binding.client.built.js";
import type { D1Statement, D1StatementResult } from "./store";
import { d1DatabaseOf } from "./store";

interface D1Props {
  accountId: AccountId;
  databaseId: string;
}

/** One query as the binding sends it (miniflare's `D1QuerySchema`): blobs travel as arrays of bytes. */
const WireQuery = z.object({ sql: z.string(), params: z.array(D1Value).nullable().optional() });
/** `/query` and `/execute` take one query or several; either way they run as one transaction. */
const WireQueries = z.union([WireQuery, z.array(WireQuery)]);
type WireQuery = z.infer<typeof WireQuery>;

/** How the binding asks for rows; D1 reads anything it does not know as objects. */
const ResultsFormat = z.enum(["ARRAY_OF_OBJECTS", "ROWS_AND_COLUMNS", "NONE"]).catch("ARRAY_OF_OBJECTS");

/** Where D1 hands a session its bookmark, on every answer, and where a session sends it back. */
const SESSION_HEADER = "x-cf-d1-session-commit-token";

/** Queries that are only whitespace and indented comments, which D1 drops before running the rest. */
const isEmptyQuery = (query: WireQuery) => query.sql.replace(/^\s+--.*/gm, "").trim().length === 0;

/** D1 reports a query's failure in the body, with the success status. */
const failure = (error: string) => Response.json({ success: false, error });

/** A request D1 cannot read fails outright, with the error's name first (the binding shows the text). */
const unreadable = (name: string, detail: string) => new Response(`${name}\n${detail}`, { status: 500 });

/** What a binding's param becomes in SQLite: arrays of bytes are blobs. */
const sqlParam = (param: D1Value): unknown => (Array.isArray(param) ? new Uint8Array(param).buffer : param);

/** A statement's result as D1 answers a binding: its meta also says how many attempts the query took. */
function bindingResult({ results, meta }: D1StatementResult) {
  const { served_by, served_by_primary, ...rest }: D1QueryMeta = meta;
  return { success: true, results, meta: { served_by, served_by_primary, total_attempts: 1, ...rest } };
}

/**
 * One tenant's D1 database, handed to a loaded worker as
 * `ctx.exports.TenantD1({ props: { accountId, databaseId } })`. The client
 * (binding.client.ts, the runtime's own binding code) speaks D1's wire protocol to
 * it, and it answers as miniflare's D1 does: `POST /query` and
 * `POST /execute`, every call one transaction, on the database's own object,
 * the one the REST API queries too. Nothing the tenant sends names a
 * database: the props do, and SQLite's authorizer refuses what would reach
 * past it (ATTACH, most PRAGMAs, the storage engine's `_cf_` tables).
 */
export class TenantD1 extends WorkerEntrypoint<Env, D1Props> {
  override async fetch(request: Request): Promise<Response> {
    const { pathname, searchParams } = new URL(request.url);
    if (request.method !== "POST") return new Response(null, { status: 405 });
    if (pathname !== "/query" && pathname !== "/execute") return new Response(null, { status: 404 });

    const { accountId, databaseId } = this.ctx.props;
    // A database deleted since the upload is gone for its bindings too.
    const registered = await resourcesStoreOf(this.env, accountId).getD1Database(databaseId);
    if (registered === null) return failure("database not found");

    let body: unknown;
    try {
      body = await request.json();
    } catch (error) {
      return unreadable("SyntaxError", error instanceof Error ? error.message : String(error));
    }
    const parsed = WireQueries.safeParse(body);
    if (!parsed.success) return unreadable("ZodError", z.prettifyError(parsed.error));

    const queries = (Array.isArray(parsed.data) ? parsed.data : [parsed.data]).filter((q) => !isEmptyQuery(q));
    if (queries.length === 0) return failure("No SQL statements detected.");
    const statements: D1Statement[] = queries.map((q) => ({ sql: q.sql, params: (q.params ?? []).map(sqlParam) }));
    const format = ResultsFormat.parse(searchParams.get("resultsFormat")) === "ROWS_AND_COLUMNS" ? "raw" : "objects";

    const outcome = await d1DatabaseOf(this.env, databaseId).runForBinding(statements, format);
    if (!outcome.ok) return failure(outcome.error);
    return Response.json(outcome.results.map(bindingResult), { headers: { [SESSION_HEADER]: outcome.bookmark } });
  }
}

/** The database a stored binding names: `database_id`, or `id`, its deprecated alias. */
const databaseIdOf = (binding: StoredBinding) => String(binding.database_id ?? binding.id);

export const d1Binding: BindingKind = {
  type: "d1",
  toEnv: (binding, exports, scope) =>
    exports.TenantD1?.({ props: { accountId: scope.accountId, databaseId: databaseIdOf(binding) } }),
  client: { module: "__wfp_d1.js", source },
};
