import { Axes, ChartFigure, type ChartProps, formatValue, Legend, plotScales } from "./frame";
import { areaPath, coordinate, linePath, lonePoints, type Point } from "./paths";
import { formatDateTime } from "./scale";

/** The points of one series: each bucket's value at the bucket's middle; null where it has none. */
export function seriesPoints(
  values: readonly (number | null)[],
  starts: readonly number[],
  stepMs: number,
  scales: Pick<ReturnType<typeof plotScales>, "x" | "y">,
): (Point | null)[] {
  return starts.map((start, i) => {
    const value = values[i];
    return value === null || value === undefined ? null : [scales.x(start + stepMs / 2), scales.y(value)];
  });
}

/**
 * Values over time as lines, one per series (the first filled down to zero when `area`); a
 * value between two gaps is a dot. Series differ by colour, dash and the legend's names.
 */
export function LineChart(props: ChartProps & { area?: boolean }) {
  const { buckets, series } = props;
  const max = Math.max(0, ...series.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const scales = plotScales(buckets, max, props.integer);
  return (
    <ChartFigure {...props}>
      <Legend series={series} kind="line" />
      <Axes scales={scales} unit={props.unit} />
      {series.map((s, index) => {
        const points = seriesPoints(s.values, buckets.starts, buckets.stepMs, scales);
        return (
          <g data-series={s.name}>
            {props.area === true && index === 0 && (
              <path d={areaPath(points, scales.y(0))} fill={s.colour} fill-opacity="0.12" stroke="none" />
            )}
            <path
              class="line"
              d={linePath(points)}
              fill="none"
              stroke={s.colour}
              stroke-width="2"
              stroke-dasharray={s.dash}
              stroke-linejoin="round"
            />
            {lonePoints(points).map(([x, y]) => (
              <circle class="dot" cx={coordinate(x)} cy={coordinate(y)} r="3" fill={s.colour} />
            ))}
            {points.map((point, i) =>
              point === null ? null : (
                <circle cx={coordinate(point[0])} cy={coordinate(point[1])} r="6" fill="transparent">
                  <title>{`${formatDateTime(buckets.starts[i] ?? 0)}: ${s.name} ${formatValue(s.values[i] ?? 0)}${props.unit === undefined ? "" : ` ${props.unit}`}`}</title>
                </circle>
              ),
            )}
          </g>
        );
      })}
    </ChartFigure>
  );
}
