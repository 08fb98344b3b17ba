import { Hono } from "hono";
import type { ApiEnv } from "../http/types";

/** Production reads at most this much of a query's body; the emulator refuses more, as a 422 like any query it will not run. */
const MAX_QUERY_BYTES = 64 * 1024;

/**
 * Workers Analytics Engine's SQL API: `POST /accounts/{account_id}/analytics_engine/sql`,
 * the query as the body. Not the v4 envelope: the answer is the query's
 * result in its FORMAT (ClickHouse's JSON by default), a refusal is 422 with
 * the reason as text. The subset and the differences: the emulator's README.
 */
export const analyticsEngineSql = new Hono<ApiEnv>();

analyticsEngineSql.post("/", async (c) => {
  const query = await c.req.text();
  if (new TextEncoder().encode(query).byteLength > MAX_QUERY_BYTES) {
    return c.text(`query longer than ${MAX_QUERY_BYTES} bytes`, 422);
  }
  const store = c.env.ANALYTICS.get(c.env.ANALYTICS.idFromName(c.get("accountId")));
  const outcome = await store.sql(query);
  if (!outcome.ok) return c.text(outcome.reason, 422);
  return c.body(outcome.body, 200, { "content-type": outcome.contentType });
});
