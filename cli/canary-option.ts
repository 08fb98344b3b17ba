import type { CanarySize } from "../platform/tenants-api.ts";
import { usageError } from "./errors.ts";

/** `--canary 5` (tenants) or `--canary 10%` (of the selected tenants); the control plane checks the range. */
export function canaryOf(value: string | undefined): CanarySize | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?)(%?)$/.exec(value.trim());
  if (match === null) throw usageError(`--canary expects a number of tenants or a percentage (5, 10%), got "${value}"`);
  const amount = Number(match[1]);
  if (match[2] === "%") return { percent: amount };
  if (!Number.isInteger(amount)) throw usageError(`--canary expects a whole number of tenants, got "${value}"`);
  return { tenants: amount };
}
