import type { CanarySize } from "./tenants-api.ts";

/**
 * How many of `selected` tenants a rollout's canary of `size` takes: a number
 * as it is, a percentage rounded up, so any percentage of a non-empty
 * selection is at least one tenant. A number over the selection is the
 * control plane's 400.
 */
export function canaryCount(size: CanarySize, selected: number): number {
  if ("tenants" in size) return size.tenants;
  return Math.min(selected, Math.ceil((selected * size.percent) / 100));
}
