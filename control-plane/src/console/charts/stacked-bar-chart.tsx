import { Axes, ChartFigure, type ChartProps, formatValue, Legend, plotScales } from "./frame";
import { coordinate } from "./paths";
import { formatDateTime } from "./scale";

/** One part of a bucket's bar: its series, the bucket's start (epoch ms), its box in the view box, its value. */
export type Bar = {
  series: string;
  start: number;
  x: number;
  y: number;
  width: number;
  height: number;
  value: number;
  colour: string;
};

/** The share of a bucket's width a bar takes; the rest is the gap between bars. */
const BAR_SHARE = 0.8;

/**
 * Each bucket's bar, its series stacked bottom to top in the order given; a zero draws nothing.
 * Pure: the tests read a chart's bars from it.
 */
export function stackedBars(
  props: Pick<ChartProps, "buckets" | "series">,
  scales: ReturnType<typeof plotScales>,
): Bar[] {
  const { starts, stepMs } = props.buckets;
  const bars: Bar[] = [];
  starts.forEach((start, i) => {
    const left = scales.x(start);
    const full = scales.x(start + stepMs) - left;
    const width = Math.max(full * BAR_SHARE, 0.5);
    let below = 0;
    for (const s of props.series) {
      const value = s.values[i] ?? 0;
      if (value <= 0) continue;
      const top = scales.y(below + value);
      bars.push({
        series: s.name,
        start,
        x: left + (full - width) / 2,
        y: top,
        width,
        height: scales.y(below) - top,
        value,
        colour: s.colour,
      });
      below += value;
    }
  });
  return bars;
}

/** Totals over time as stacked bars: each bucket's parts (status classes, say), bottom to top as in the legend. */
export function StackedBarChart(props: ChartProps) {
  const totals = props.buckets.starts.map((_, i) => props.series.reduce((sum, s) => sum + (s.values[i] ?? 0), 0));
  const scales = plotScales(props.buckets, Math.max(0, ...totals), props.integer);
  const bars = stackedBars(props, scales);
  return (
    <ChartFigure {...props}>
      <Legend series={props.series} kind="bar" />
      <Axes scales={scales} unit={props.unit} />
      <g>
        {bars.map((bar) => (
          <rect
            class="bar"
            data-series={bar.series}
            x={coordinate(bar.x)}
            y={coordinate(bar.y)}
            width={coordinate(bar.width)}
            height={coordinate(bar.height)}
            fill={bar.colour}
          >
            <title>{`${formatDateTime(bar.start)}: ${bar.series} ${formatValue(bar.value)}`}</title>
          </rect>
        ))}
      </g>
    </ChartFigure>
  );
}
