import type { SqlAnswer } from "../../../../cloudflare-api/analytics-engine-sql";
import type { OutputFormat } from "./ast";
import { parseQuery } from "./parse";
import { SqlRefusal } from "./refusal";
import { type OutputColumn, translate } from "./translate";
import { outputValue } from "./types";

/** What the SQL API answers: the result in its format, or the reason it refuses the query (a 422). */
export type SqlOutcome = { ok: true; contentType: string; body: string } | { ok: false; reason: string };

interface Result {
  columns: OutputColumn[];
  rows: unknown[][];
  limit: number | null;
  offset: number;
  format: OutputFormat;
}

function answer({ columns, rows, limit, offset, format }: Result): SqlOutcome {
  const page = rows.slice(offset, limit === null ? undefined : offset + limit);
  const data = page.map((row) =>
    Object.fromEntries(
      columns.map((column, i) => [column.name, outputValue(column.post ? column.post(row[i]) : row[i], column.type)]),
    ),
  );
  if (format === "JSONEachRow") {
    return {
      ok: true,
      contentType: "text/plain; charset=utf-8",
      body: data.map((row) => `${JSON.stringify(row)}\n`).join(""),
    };
  }
  const json: SqlAnswer = {
    meta: columns.map(({ name, type }) => ({ name, type })),
    data,
    rows: data.length,
    ...(limit === null ? {} : { rows_before_limit_at_least: rows.length }),
  };
  return { ok: true, contentType: "application/json", body: JSON.stringify(json) };
}

/**
 * Runs one query of the SQL API's subset over an account's stored points
 * (the AnalyticsStore's `points` table). Only SQL the translator wrote is
 * run, the query's literals bound as parameters; whatever is outside the
 * subset is refused, named.
 */
export function runSql(storage: SqlStorage, text: string, now = Date.now()): SqlOutcome {
  try {
    const query = parseQuery(text);
    if (query.kind === "show-tables") {
      const rows = [...storage.exec("SELECT DISTINCT dataset FROM points ORDER BY dataset").raw()];
      return answer({
        columns: [{ name: "dataset", type: "String" }],
        rows,
        limit: null,
        offset: 0,
        format: query.format,
      });
    }
    const translation = translate(query, Math.floor(now / 1000));
    const rows = [...storage.exec(translation.sql, ...translation.params).raw()];
    return answer({ ...translation, rows, format: query.format });
  } catch (error) {
    if (error instanceof SqlRefusal) return { ok: false, reason: error.message };
    // SQLite refusing what the translator wrote (a type it cannot compute): still the query's, not the emulator's.
    if (error instanceof Error && /SQLITE|sqlite/i.test(error.message))
      return { ok: false, reason: `query failed: ${error.message}` };
    throw error;
  }
}
