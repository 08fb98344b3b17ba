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

export type ParsedCanarySize = { ok: true; size: CanarySize } | { ok: false; problem: string };

/**
 * `5` (tenants) or `10%` (of the selected tenants), as `wfp rollout --canary` and the console's
 * form take a canary; the control plane checks the range.
 */
export function parseCanarySize(text: string): ParsedCanarySize {
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(text.trim());
  if (match === null)
    return { ok: false, problem: `expects a number of tenants or a percentage (5, 10%), got "${text}"` };
  const amount = Number(match[1]);
  if (match[2] === "%") return { ok: true, size: { percent: amount } };
  if (!Number.isInteger(amount)) return { ok: false, problem: `expects a whole number of tenants, got "${text}"` };
  return { ok: true, size: { tenants: amount } };
}
