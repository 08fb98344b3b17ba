import { ErrorCode } from "../../../cloudflare-api/error-codes";
import type { D1QueryBody } from "../../../cloudflare-api/resources";
import { ApiError } from "../http/errors";
import { splitSqlStatements } from "./sql-statements";
import type { D1Statement } from "./store";

/** D1's "bad request" answers all start so. */
export const malformed = (detail: string) =>
  new ApiError(400, ErrorCode.d1InvalidRequest, `The request is malformed: ${detail}`);

/**
 * The statements a `/query` or `/raw` body asks for, in order: each `sql`
 * split at its semicolons. Parameters bind to one statement only, so D1
 * refuses them next to several.
 */
export function statementsOf(body: D1QueryBody): D1Statement[] {
  const queries = "batch" in body ? body.batch : [body];
  const statements = queries.flatMap((query) => {
    const parts = splitSqlStatements(query.sql);
    const params = query.params ?? [];
    if (parts.length > 1 && params.length > 0) throw malformed("params with multiple statements is not supported");
    return parts.map((sql) => ({ sql, params }));
  });
  if (statements.length === 0) throw new ApiError(400, ErrorCode.d1QueryError, "No SQL statements detected.");
  return statements;
}
