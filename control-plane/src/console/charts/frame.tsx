import type { Child } from "hono/jsx";
import { formatDateTime, formatStep, formatTick, formatTime, linearScale, timeTicks, valueTicks } from "./scale";

/**
 * What every time chart shares: its data's shape, the plot's geometry, the axes, the legend,
 * and the figure around the SVG with the same numbers as a table for screen readers (an
 * `<svg role="img">` is one picture to them). Presentation attributes only: the console's CSP
 * forbids inline styles.
 */

/** Buckets of time, oldest first: each one's start (epoch ms) and their length (ms). */
export interface TimeBuckets {
  starts: readonly number[];
  stepMs: number;
}

/** One series: its name (the legend's and the table's), a value per bucket (null: none), how it is drawn. */
export interface Series {
  name: string;
  values: readonly (number | null)[];
  /** A colour with at least 3:1 contrast on white (palette.ts). */
  colour: string;
  /** A `stroke-dasharray`, so that lines differ by more than colour. */
  dash?: string;
}

export interface ChartProps {
  /** Unique on the page: the figure's id, and its title's and description's. */
  id: string;
  title: string;
  /** What the chart shows, in a sentence: its `<desc>`. */
  description: string;
  buckets: TimeBuckets;
  series: readonly Series[];
  /** The values' unit, after each value in the table and the axis's label (`ms`). */
  unit?: string;
  /** Counts: whole-number ticks. */
  integer?: boolean;
}

export const WIDTH = 640;
export const HEIGHT = 240;
/** The plot's box inside the view box: the legend above it, the axes' labels left of it and under it. */
export const PLOT = { left: 56, right: WIDTH - 16, top: 40, bottom: HEIGHT - 28 } as const;

const TEXT = "#3f3f46";
const GRID = "#e4e4e7";
const AXIS = "#71717a";

/** The x scale (time, epoch ms, over the buckets' whole span) and the y scale (0 to the top tick). */
export function plotScales(buckets: TimeBuckets, max: number, integer = false) {
  const from = buckets.starts[0] ?? 0;
  const until = (buckets.starts[buckets.starts.length - 1] ?? 0) + buckets.stepMs;
  const y = valueTicks(max, 4, integer);
  return {
    from,
    until,
    x: linearScale([from, until], [PLOT.left, PLOT.right]),
    y: linearScale([0, y.top], [PLOT.bottom, PLOT.top]),
    yTicks: y.ticks,
  };
}

type Scales = ReturnType<typeof plotScales>;

/** Grid lines and the value labels on the left; time labels along the bottom. */
export function Axes({ scales, unit }: { scales: Scales; unit?: string }) {
  const time = timeTicks(scales.from, scales.until);
  return (
    <g>
      {scales.yTicks.map((tick) => {
        const y = scales.y(tick);
        return (
          <g>
            <line x1={PLOT.left} x2={PLOT.right} y1={y} y2={y} stroke={GRID} stroke-width="1" />
            <text
              class="tick"
              x={PLOT.left - 6}
              y={y}
              text-anchor="end"
              dominant-baseline="middle"
              font-size="11"
              fill={TEXT}
            >
              {formatTick(tick)}
            </text>
          </g>
        );
      })}
      {unit !== undefined && (
        <text class="tick" x={PLOT.left - 6} y={PLOT.top - 12} text-anchor="end" font-size="11" fill={TEXT}>
          {unit}
        </text>
      )}
      <line x1={PLOT.left} x2={PLOT.right} y1={PLOT.bottom} y2={PLOT.bottom} stroke={AXIS} stroke-width="1" />
      {time.ticks.map((tick) => {
        const x = scales.x(tick);
        return (
          <g>
            <line x1={x} x2={x} y1={PLOT.bottom} y2={PLOT.bottom + 4} stroke={AXIS} stroke-width="1" />
            <text class="tick" x={x} y={PLOT.bottom + 16} text-anchor="middle" font-size="11" fill={TEXT}>
              {formatTime(tick, time.days)}
            </text>
          </g>
        );
      })}
    </g>
  );
}

/** Each series' mark and name, in a row above the plot (the names are what tell them apart). */
export function Legend({ series, kind }: { series: readonly Series[]; kind: "line" | "bar" }) {
  let x = PLOT.left;
  return (
    <g>
      {series.map((s) => {
        const at = x;
        // Room for each character at the size a phone's stylesheet gives it (16 units), and for the mark.
        x += 28 + s.name.length * 9 + 16;
        return (
          <g>
            {kind === "line" ? (
              <line x1={at} x2={at + 20} y1={14} y2={14} stroke={s.colour} stroke-width="3" stroke-dasharray={s.dash} />
            ) : (
              <rect x={at} y={8} width={12} height={12} fill={s.colour} />
            )}
            <text
              class="legend"
              x={at + (kind === "line" ? 26 : 18)}
              y={14}
              dominant-baseline="middle"
              font-size="12"
              fill={TEXT}
            >
              {s.name}
            </text>
          </g>
        );
      })}
    </g>
  );
}

/** The same numbers as a table: a time per row, a series per column. */
export function DataTable({ title, buckets, series, unit }: Pick<ChartProps, "title" | "buckets" | "series" | "unit">) {
  const suffix = unit === undefined ? "" : ` ${unit}`;
  return (
    <details>
      <summary>{`${title}: the data as a table`}</summary>
      <div class="table-wrap">
        <table>
          <caption class="muted">{`${title}, by ${formatStep(buckets.stepMs)} bucket (its start, UTC)`}</caption>
          <thead>
            <tr>
              <th scope="col">Bucket</th>
              {series.map((s) => (
                <th scope="col">{s.name}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {buckets.starts.map((start, i) => (
              <tr>
                <th scope="row">{formatDateTime(start)}</th>
                {series.map((s) => {
                  const value = s.values[i];
                  return <td>{value === null || value === undefined ? "–" : `${formatValue(value)}${suffix}`}</td>;
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}

/** A value in a table or a tooltip: whole numbers as they are, others to a tenth. */
export function formatValue(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** The figure: the SVG (a picture with a name and a description) and its data table. */
export function ChartFigure(props: ChartProps & { children: Child }) {
  const { id, title, description } = props;
  return (
    <figure class="chart" id={id}>
      <svg
        xmlns="http://www.w3.org/2000/svg"
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={title}
        aria-describedby={`${id}-desc`}
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        {props.children}
      </svg>
      <DataTable title={title} buckets={props.buckets} series={props.series} unit={props.unit} />
    </figure>
  );
}
