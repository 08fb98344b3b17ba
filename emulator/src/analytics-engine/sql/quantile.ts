/**
 * quantileExactWeighted(level)(x, weight), computed after SQLite has
 * gathered each group's `[x, weight]` pairs (json_group_array): the values
 * sorted, weights summed in that order, the first value at which the sum
 * reaches ceil(level × total weight), as ClickHouse's QuantileExactWeighted
 * picks it. No rows (or no weight) is null.
 */
export function weightedQuantile(level: number): (gathered: unknown) => number | null {
  return (gathered) => {
    const pairs = (JSON.parse(String(gathered ?? "[]")) as [unknown, unknown][])
      .map(([value, weight]) => [Number(value), Number(weight)] as const)
      .filter(([value, weight]) => Number.isFinite(value) && Number.isFinite(weight) && weight > 0)
      .sort(([a], [b]) => a - b);
    const total = pairs.reduce((sum, [, weight]) => sum + weight, 0);
    if (pairs.length === 0) return null;
    const threshold = Math.ceil(total * level);
    let accumulated = 0;
    for (const [value, weight] of pairs) {
      accumulated += weight;
      if (accumulated >= threshold) return value;
    }
    return pairs[pairs.length - 1]?.[0] ?? null;
  };
}
