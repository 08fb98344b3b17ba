import { ANALYTICS_DATASET, type AnalyticsDataset } from "../../../cloudflare-api/analytics-engine-sql";
import { OK_OUTCOME, requestColumn } from "../../../platform/request-metrics";
import { TENANT_ID, type TenantId } from "../../../platform/routes";

/**
 * The pieces the control plane's Analytics Engine queries are built from. No
 * value reaches a query's text except through these: the API takes no bound
 * parameters, so each value is one whose shape has already been checked (a
 * TenantId, a dataset name, a Date), checked here again, and written as a
 * literal that cannot end early.
 */

/** A string literal of a tenant id: lowercase letters, digits and hyphens only, so nothing in it needs escaping. */
export function tenantLiteral(id: TenantId): string {
  if (!TENANT_ID.test(id)) throw new TypeError("not a tenant id");
  return `'${id}'`;
}

/** The table of a dataset: an unquoted identifier (AnalyticsDataset allows no other). */
export function table(dataset: AnalyticsDataset): string {
  if (!ANALYTICS_DATASET.test(dataset)) throw new TypeError("not a dataset name");
  return dataset;
}

/**
 * A point in time to the second, as the `timestamp` column has it.
 * `round` says which way a time between two seconds goes.
 */
export function dateTime(at: Date, round: "down" | "up"): string {
  const seconds = (round === "down" ? Math.floor : Math.ceil)(at.getTime() / 1000);
  if (!Number.isSafeInteger(seconds) || seconds < 0) throw new RangeError("not a time the API can compare");
  return `toDateTime(${seconds})`;
}

/**
 * A failed request, as every count of errors reads it: the dispatcher's error (an outcome other
 * than "ok") or a status of 500 or more (the tenant's own failures).
 */
export function isError(): string {
  return `${requestColumn("outcome")} != '${OK_OUTCOME}' OR ${requestColumn("status")} >= 500`;
}
