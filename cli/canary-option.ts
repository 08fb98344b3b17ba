import { parseCanarySize } from "../platform/canary-size.ts";
import type { CanarySize } from "../platform/tenants-api.ts";
import { usageError } from "./errors.ts";

/** `--canary 5` (tenants) or `--canary 10%` (of the selected tenants); the control plane checks the range. */
export function canaryOf(value: string | undefined): CanarySize | undefined {
  if (value === undefined) return undefined;
  const parsed = parseCanarySize(value);
  if (!parsed.ok) throw usageError(`--canary ${parsed.problem}`);
  return parsed.size;
}
