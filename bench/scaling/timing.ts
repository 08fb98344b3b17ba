import { percentile } from "../shared/load.ts";

/** Runs `work` and answers how long it took (ms) with what it gave. */
export async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await work();
  return { ms: performance.now() - t0, value };
}

/** A measured time's spread as a report shows it. */
export type Spread = { p50: number; p90: number; n: number };

export function spreadOf(ms: readonly number[]): Spread {
  const sorted = ms.toSorted((a, b) => a - b);
  return { p50: percentile(sorted, 50), p90: percentile(sorted, 90), n: sorted.length };
}

/** `count` distinct indexes below `size`, drawn with `random`, none of `taken` (which they join). */
export function drawDistinct(size: number, count: number, random: () => number, taken: Set<number>): number[] {
  const drawn: number[] = [];
  if (size - taken.size < count) throw new Error(`cannot draw ${count} more of ${size} (${taken.size} taken)`);
  while (drawn.length < count) {
    const i = Math.floor(random() * size);
    if (taken.has(i)) continue;
    taken.add(i);
    drawn.push(i);
  }
  return drawn;
}
