import type { RunnerHealth } from "./health";

/** The requests this runner is running, each with its plan's CPU limit: what its health answer reports. */
const cpuLimits = new Map<symbol, number | null>();

/** Marks a request as started; the returned function marks it done. */
export function startRequest(cpuMs: number | undefined): () => void {
  const key = Symbol();
  cpuLimits.set(key, cpuMs ?? null);
  return () => cpuLimits.delete(key);
}

export function health(): RunnerHealth {
  const limits = [...cpuLimits.values()].filter((ms): ms is number => ms !== null);
  return { inFlight: cpuLimits.size, cpuMs: limits.length === 0 ? null : Math.max(...limits) };
}
