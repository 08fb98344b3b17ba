/** SVG path data from points: pure, so the tests can read a chart's points back. */

export type Point = readonly [x: number, y: number];

/** A coordinate as the paths write it: at most one decimal, no `-0`. */
export function coordinate(value: number): string {
  const rounded = Math.round(value * 10) / 10;
  return String(rounded === 0 ? 0 : rounded);
}

const pair = ([x, y]: Point) => `${coordinate(x)} ${coordinate(y)}`;

/** The runs of consecutive points that have a value (a null is a gap in the line). */
export function runs(points: readonly (Point | null)[]): Point[][] {
  const found: Point[][] = [];
  let current: Point[] = [];
  for (const point of points) {
    if (point === null) {
      if (current.length > 0) found.push(current);
      current = [];
    } else current.push(point);
  }
  if (current.length > 0) found.push(current);
  return found;
}

/** A line through each run (`M x y L x y …`, one `M` per run); a run of one point draws nothing, so the chart marks it. */
export function linePath(points: readonly (Point | null)[]): string {
  return runs(points)
    .filter((run) => run.length > 1)
    .map((run) => `M${run.map(pair).join(" L")}`)
    .join(" ");
}

/** The area under each run down to `baseline` (a y), closed: what a filled line chart fills. */
export function areaPath(points: readonly (Point | null)[], baseline: number): string {
  return runs(points)
    .filter((run) => run.length > 1)
    .map((run) => {
      const first = run[0] as Point;
      const last = run[run.length - 1] as Point;
      return `M${pair([first[0], baseline])} L${run.map(pair).join(" L")} L${pair([last[0], baseline])} Z`;
    })
    .join(" ");
}

/** The points standing alone between gaps: a line cannot show them, a dot does. */
export function lonePoints(points: readonly (Point | null)[]): Point[] {
  return runs(points)
    .filter((run) => run.length === 1)
    .map((run) => run[0] as Point);
}
