import type { RequestCount } from "../../../platform/request-metrics";
import type { TenantId } from "../../../platform/routes";
import type { CanaryHealthView } from "../../../platform/tenants-api";
import { configOf } from "../config";
import type { Env } from "../env";
import { requestCounts } from "../metrics";
import { metricsReader } from "../metrics/reader";

/** A tenant's requests through the dispatcher in a window, and how many of them were errors. */
export type TrafficCounts = RequestCount;

export type TimeWindow = { from: Date; to: Date };

/**
 * Where a staged rollout reads its canary tenants' traffic from. Per tenant,
 * for the tenants asked about (a tenant without traffic may be left out).
 */
export interface CanaryHealth {
  traffic(tenantIds: readonly string[], window: TimeWindow): Promise<ReadonlyMap<string, TrafficCounts>>;
}

/** The dispatcher's metering, read back through Analytics Engine's SQL API (locally the emulator's). */
export function meteredCanaryHealth(env: Env): CanaryHealth {
  const config = configOf(env);
  const api = metricsReader(env, config);
  return {
    traffic: (tenantIds, window) =>
      requestCounts(api, {
        dataset: config.metricsDataset,
        // Rollout items hold ids the registry gave out, which are TenantIds.
        tenantIds: tenantIds as readonly TenantId[],
        since: window.from,
        until: window.to,
      }),
  };
}

/**
 * The control plane's tests set their own source here (`useCanaryHealth`):
 * the tests and the Rollout object share one isolate, and a source they
 * control is what lets them check every verdict. Nothing else sets it.
 */
let chosen: ((env: Env) => CanaryHealth) | undefined;

export function useCanaryHealth(source: ((env: Env) => CanaryHealth) | undefined): void {
  chosen = source;
}

/** The source the Rollout object judges a canary by. */
export function canaryHealthOf(env: Env): CanaryHealth {
  return chosen === undefined ? meteredCanaryHealth(env) : chosen(env);
}

/** Every tenant's counts added up. */
export function totalOf(counts: ReadonlyMap<string, TrafficCounts>): TrafficCounts {
  let requests = 0;
  let errors = 0;
  for (const tenant of counts.values()) {
    requests += tenant.requests;
    errors += tenant.errors;
  }
  return { requests, errors };
}

const rateOf = ({ requests, errors }: TrafficCounts) => (requests === 0 ? null : errors / requests);

/**
 * The verdict on a canary, from all its tenants' traffic added up: no
 * requests after the deploy is `no_traffic` (nothing to judge by); otherwise
 * the error rate after rose if it is above the rate before (0 when there were
 * no requests before) by more than `tolerance`.
 */
export function judgeCanary(
  before: TrafficCounts & TimeWindow,
  after: TrafficCounts & TimeWindow,
  tolerance: number,
  at: Date,
): CanaryHealthView {
  const beforeRate = rateOf(before);
  const afterRate = rateOf(after);
  const verdict =
    afterRate === null ? "no_traffic" : afterRate > (beforeRate ?? 0) + tolerance ? "error_rate_rose" : "healthy";
  const view = (counts: TrafficCounts & TimeWindow, rate: number | null) => ({
    requests: counts.requests,
    errors: counts.errors,
    rate,
    from: counts.from.toISOString(),
    to: counts.to.toISOString(),
  });
  return {
    before: view(before, beforeRate),
    after: view(after, afterRate),
    tolerance,
    verdict,
    judgedAt: at.toISOString(),
  };
}
