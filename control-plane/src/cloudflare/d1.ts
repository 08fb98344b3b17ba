import type { DatabaseQueryParams } from "cloudflare/resources/d1/database/database";
import { ErrorCode } from "../../../cloudflare-api/error-codes";
import type { D1Query, D1QueryResult } from "../../../cloudflare-api/resources";
import { deleteIfPresent } from "./delete-if-present";
import { createOrFind } from "./find-or-create";
import type { CloudflareApi } from "./transport";

export interface D1DatabaseRef {
  readonly uuid: string;
  readonly name: string;
}

export type D1Statement = D1Query;

/** SQL text; one statement with params; or a batch, as a list or as the API's own `{batch}`. */
export type D1QueryInput = string | D1Statement | readonly D1Statement[] | { readonly batch: readonly D1Statement[] };

const isStatementList = (query: Exclude<D1QueryInput, string>): query is readonly D1Statement[] => Array.isArray(query);

/** D1 databases. */
export class D1Databases {
  constructor(private readonly api: CloudflareApi) {}

  async find(name: string): Promise<D1DatabaseRef | null> {
    const { api } = this;
    return api.run(`find D1 database ${name}`, "idempotent", async () => {
      // `name` is a search, not an exact match: the exact name is picked from what it finds.
      for await (const database of api.sdk.d1.database.list({ account_id: api.accountId, name, per_page: 100 })) {
        if (database.name === name && database.uuid !== undefined) return { uuid: database.uuid, name };
      }
      return null;
    });
  }

  /** The database `name`, created (one call) or, if it exists, found by its name. */
  ensure(name: string): Promise<D1DatabaseRef> {
    const { api } = this;
    return createOrFind({
      find: () => this.find(name),
      create: async () => {
        const created = await api.run(`create D1 database ${name}`, "once", () =>
          api.sdk.d1.database.create({ account_id: api.accountId, name }),
        );
        if (created.uuid === undefined) throw new Error(`create D1 database ${name}: the answer has no uuid`);
        return { uuid: created.uuid, name };
      },
      existsCode: ErrorCode.d1DatabaseExists,
    });
  }

  /** Deletes a database; one that is not there is already deleted. */
  async delete(uuid: string): Promise<void> {
    const { api } = this;
    await deleteIfPresent(
      () =>
        api.run(`delete D1 database ${uuid}`, "idempotent", () =>
          api.sdk.d1.database.delete(uuid, { account_id: api.accountId }),
        ),
      ErrorCode.d1DatabaseNotFound,
    );
  }

  /**
   * Runs SQL: one query (possibly several statements), or a list of them run
   * as one batch, in one transaction (migrations). Sent once: SQL is not known to be idempotent, so
   * a failure is the caller's to judge (a migration runner records what ran).
   */
  async query(uuid: string, query: D1QueryInput): Promise<D1QueryResult[]> {
    const { api } = this;
    const body = typeof query === "string" ? { sql: query } : isStatementList(query) ? { batch: [...query] } : query;
    const page = await api.run(`query D1 database ${uuid}`, "once", () =>
      // The SDK types params as strings; the API takes any JSON scalar (D1Param).
      api.sdk.d1.database.query(uuid, { account_id: api.accountId, ...body } as DatabaseQueryParams),
    );
    return page.result as D1QueryResult[];
  }
}
