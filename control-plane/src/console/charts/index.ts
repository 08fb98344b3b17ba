/** Server-rendered SVG charts of values over time (Hono's JSX, no client code). */
export type { ChartProps, Series, TimeBuckets } from "./frame";
export { LineChart } from "./line-chart";
export { CHART_COLOURS, DASHES } from "./palette";
export { StackedBarChart } from "./stacked-bar-chart";
