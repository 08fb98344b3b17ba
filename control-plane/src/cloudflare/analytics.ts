import { SqlAnswer } from "../../../cloudflare-api/analytics-engine-sql";
import { apiErrorFromText } from "./errors";
import { type CloudflareApi, jsonOrNull } from "./transport";

/**
 * Workers Analytics Engine's SQL API (the token needs Account Analytics Read).
 * Not in the `cloudflare` SDK: the body is the query's text and the answer
 * ClickHouse's JSON, so the call is built here.
 */
export class AnalyticsEngine {
  constructor(private readonly api: CloudflareApi) {}

  /**
   * Runs one query, which must answer `FORMAT JSON` (the default). A query is
   * a read, so it is sent again after a 429, a 5xx or no answer. Refused
   * queries (422, with the API's reason) and answers of another shape are a
   * CloudflareApiError.
   */
  async sql(query: string): Promise<SqlAnswer> {
    const operation = "query Analytics Engine";
    const text = await this.api.requestText(operation, "idempotent", "POST", "/analytics_engine/sql", query);
    const answer = SqlAnswer.safeParse(jsonOrNull(text));
    if (!answer.success) throw apiErrorFromText(operation, 200, "the answer is not FORMAT JSON's", undefined, []);
    return answer.data;
  }
}
