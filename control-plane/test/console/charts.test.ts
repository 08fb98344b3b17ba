import { describe, expect, it } from "vitest";
import { PLOT, plotScales } from "../../src/console/charts/frame";
import { LineChart } from "../../src/console/charts/line-chart";
import { areaPath, linePath, lonePoints } from "../../src/console/charts/paths";
import { formatStep, formatTick, formatTime, linearScale, timeTicks, valueTicks } from "../../src/console/charts/scale";
import { StackedBarChart, stackedBars } from "../../src/console/charts/stacked-bar-chart";

const T0 = Date.parse("2026-12-07T09:30:00Z");
const MINUTE = 60_000;
const buckets = (count: number) => ({
  starts: Array.from({ length: count }, (_, i) => T0 + i * MINUTE),
  stepMs: MINUTE,
});

/** Every `x y` pair of a path's data, in order. */
const pointsOf = (d: string) => [...d.matchAll(/[ML](-?[\d.]+) (-?[\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);

describe("scales and ticks", () => {
  it("maps a domain onto a range, and a flat domain onto the range's start", () => {
    const scale = linearScale([0, 10], [212, 40]);
    expect([scale(0), scale(5), scale(10)]).toEqual([212, 126, 40]);
    expect(linearScale([3, 3], [1, 9])(3)).toBe(1);
  });

  it("ticks values at 1, 2 or 5 times a power of ten, from 0 to a tick at or above the largest", () => {
    expect(valueTicks(9)).toEqual({ ticks: [0, 2, 4, 6, 8, 10], top: 10 });
    expect(valueTicks(350)).toEqual({ ticks: [0, 100, 200, 300, 400], top: 400 });
    expect(valueTicks(0.3)).toEqual({ ticks: [0, 0.1, 0.2, 0.3], top: 0.3 });
    // Nothing to show still has an axis; counts never tick half a request.
    expect(valueTicks(0, 4, true)).toEqual({ ticks: [0, 1], top: 1 });
    expect(valueTicks(3, 4, true)).toEqual({ ticks: [0, 1, 2, 3], top: 3 });
  });

  it("ticks time at round UTC times, about six of them", () => {
    const until = Date.parse("2026-12-07T10:31:00Z");
    expect(timeTicks(T0, until)).toEqual({
      ticks: ["09:30", "09:45", "10:00", "10:15", "10:30"].map((t) => Date.parse(`2026-12-07T${t}:00Z`)),
      days: false,
    });
    const week = timeTicks(T0, T0 + 7 * 86_400_000);
    expect(week.days).toBe(true);
    // Seven days are more than six ticks: every other day.
    expect(week.ticks.map((t) => formatTime(t, true))).toEqual(["Dec 9", "Dec 11", "Dec 13"]);
    expect(formatTime(T0, false)).toBe("09:30");
  });

  it("writes ticks short and steps as captions say them", () => {
    expect([0, 0.5, 250, 1500, 12_000, 2_500_000].map(formatTick)).toEqual(["0", "0.5", "250", "1.5k", "12k", "2.5M"]);
    expect([60_000, 900_000, 3_600_000, 86_400_000].map(formatStep)).toEqual([
      "1-minute",
      "15-minute",
      "1-hour",
      "1-day",
    ]);
  });
});

describe("paths", () => {
  const points = [[0, 0], [1, 1], null, [3, 3], null, [5, 5], [6, 6]] as const;

  it("draws a line through each run of values, a gap where a value is missing, and marks a lone value", () => {
    expect(linePath(points)).toBe("M0 0 L1 1 M5 5 L6 6");
    expect(lonePoints(points)).toEqual([[3, 3]]);
    expect(areaPath(points, 10)).toBe("M0 10 L0 0 L1 1 L1 10 Z M5 10 L5 5 L6 6 L6 10 Z");
    expect(linePath([])).toBe("");
  });
});

describe("LineChart", () => {
  // A component is a function of its props: called as the page's JSX would.
  const html = String(
    LineChart({
      id: "requests",
      title: "Requests",
      description: "Requests per minute.",
      buckets: buckets(4),
      series: [
        { name: "requests", values: [0, 5, 10, 5], colour: "#1d4ed8" },
        { name: "errors", values: [null, 1, null, null], colour: "#b91c1c", dash: "6 4" },
      ],
      integer: true,
    }),
  );

  it("puts each bucket's value at the bucket's middle, on a y axis from 0 to the top tick", () => {
    const scales = plotScales(buckets(4), 10, true);
    expect(scales.yTicks).toEqual([0, 2, 4, 6, 8, 10]);
    const [requests] = [...html.matchAll(/<path class="line" d="([^"]*)"/g)].map((m) => m[1] as string);
    // x: 56 + (30 s + k minutes) / 4 minutes × 568; y: 212 - value / 10 × 172.
    expect(pointsOf(requests ?? "")).toEqual([
      [127, 212],
      [269, 126],
      [411, 40],
      [553, 126],
    ]);
    expect(PLOT).toMatchObject({ left: 56, right: 624, top: 40, bottom: 212 });
  });

  it("marks a lone value with a dot, and names every series in the legend", () => {
    expect(html.match(/<circle class="dot"/g)).toHaveLength(1);
    expect(html).toContain('<circle class="dot" cx="269" cy="194.8"');
    expect(html).toMatch(/<text[^>]*>requests<\/text>/);
    expect(html).toMatch(/<text[^>]*>errors<\/text>/);
    expect(html).toContain('stroke-dasharray="6 4"');
  });

  it("is a picture with a name and a description, and its numbers as a table", () => {
    expect(html).toMatch(/<svg [^>]*viewBox="0 0 640 240"[^>]*role="img"[^>]*aria-label="Requests"/);
    expect(html).toContain('<title id="requests-title">Requests</title>');
    expect(html).toContain('<desc id="requests-desc">Requests per minute.</desc>');
    expect(html).toContain('aria-describedby="requests-desc"');
    expect(html).toContain('<th scope="col">requests</th>');
    expect(html.match(/<th scope="row">/g)).toHaveLength(4);
    expect(html).toContain('<th scope="row">2026-12-07 09:31 UTC</th><td>5</td><td>1</td>');
    // The CSP forbids inline styles.
    expect(html).not.toMatch(/\sstyle=/);
  });
});

describe("StackedBarChart", () => {
  const props = {
    id: "statuses",
    title: "Status classes",
    description: "Responses per minute by status class.",
    buckets: buckets(3),
    series: [
      { name: "2xx", values: [1, 0, 2], colour: "#15803d" },
      { name: "5xx", values: [1, 3, 0], colour: "#b91c1c" },
    ],
    integer: true,
  };

  it("stacks each bucket's parts bottom to top in the legend's order, and draws no zero", () => {
    const bars = stackedBars(props, plotScales(props.buckets, 3, true));
    const rounded = bars.map((bar) => ({
      series: bar.series,
      value: bar.value,
      x: Math.round(bar.x * 10) / 10,
      y: Math.round(bar.y * 10) / 10,
      width: Math.round(bar.width * 10) / 10,
      height: Math.round(bar.height * 10) / 10,
    }));
    // A bucket is 568 / 3 wide, a bar 80% of it, centred; a request is 172 / 3 high.
    expect(rounded).toEqual([
      { series: "2xx", value: 1, x: 74.9, y: 154.7, width: 151.5, height: 57.3 },
      { series: "5xx", value: 1, x: 74.9, y: 97.3, width: 151.5, height: 57.3 },
      { series: "5xx", value: 3, x: 264.3, y: 40, width: 151.5, height: 172 },
      { series: "2xx", value: 2, x: 453.6, y: 97.3, width: 151.5, height: 114.7 },
    ]);
  });

  it("renders one rect per part, with the table of the same numbers", () => {
    const html = String(StackedBarChart(props));
    expect(html.match(/<rect class="bar"/g)).toHaveLength(4);
    expect(html.match(/<rect class="bar" data-series="5xx"/g)).toHaveLength(2);
    expect(html).toContain("<title>2026-12-07 09:31 UTC: 5xx 3</title>");
    expect(html).toContain('<th scope="row">2026-12-07 09:32 UTC</th><td>2</td><td>0</td>');
    expect(html).toMatch(/<svg [^>]*role="img"[^>]*aria-label="Status classes"/);
    expect(html).not.toMatch(/\sstyle=/);
  });
});
