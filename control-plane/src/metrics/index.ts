/** The dispatcher's metering, read back through Analytics Engine's SQL API. */

export type { RequestCount } from "../../../platform/request-metrics";
export { CountsShapeError, type RequestCountsQuery, requestCounts, requestCountsSql } from "./request-counts";
