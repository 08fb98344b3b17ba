/** The aggregate functions of the subset, by lowercase name (ClickHouse's are case-insensitive). */
export const AGGREGATES = new Set(["count", "sum", "avg", "min", "max"]);

/** quantileExactWeighted(level)(x, w), and its older spelling quantileWeighted(level, x, w). */
export const QUANTILES = new Set(["quantileexactweighted", "quantileweighted"]);

export const isAggregate = (name: string) => AGGREGATES.has(name.toLowerCase()) || QUANTILES.has(name.toLowerCase());
