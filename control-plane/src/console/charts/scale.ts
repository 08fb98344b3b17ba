/**
 * Scales and ticks: pure functions from data to positions and labels, which every chart
 * shares (and which the tests read the charts' geometry by).
 */

/** Maps a value of `domain` onto `range` linearly (a flat domain maps to the range's start). */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]) {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  return (value: number) => (span === 0 ? r0 : r0 + ((value - d0) / span) * (r1 - r0));
}

/**
 * Up to about `count` round ticks from 0 to at least `max` (1, 2 or 5 times a power of ten
 * apart), and the axis's top: the last tick. `integer` keeps the step whole (no half a request).
 */
export function valueTicks(max: number, count = 4, integer = false): { ticks: number[]; top: number } {
  const target = max > 0 && Number.isFinite(max) ? max : 1;
  let step = 10 ** Math.floor(Math.log10(target / count));
  const error = target / count / step;
  if (error >= 7.07) step *= 10;
  else if (error >= 3.16) step *= 5;
  else if (error >= 1.41) step *= 2;
  if (integer) step = Math.max(1, Math.round(step));
  const top = Number((Math.ceil(target / step) * step).toPrecision(12));
  const ticks: number[] = [];
  // Counted in steps, not added up, so that 0.1 + 0.2 does not show.
  for (let i = 0; i * step <= top + step / 1e9; i++) ticks.push(Number((i * step).toPrecision(12)));
  return { ticks, top };
}

/** Time ticks' spacings (seconds): the smallest giving at most the count asked for is taken. */
const TIME_STEPS = [60, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800] as const;

/** Round times (epoch ms, UTC) within [from, until], about `count` of them, and whether they are whole days. */
export function timeTicks(from: number, until: number, count = 6): { ticks: number[]; days: boolean } {
  const span = (until - from) / 1000;
  const step: number = TIME_STEPS.find((s) => span / s <= count) ?? 604_800;
  const stepMs = step * 1000;
  const ticks: number[] = [];
  for (let t = Math.ceil(from / stepMs) * stepMs; t <= until; t += stepMs) ticks.push(t);
  return { ticks, days: step >= 86_400 };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"] as const;

/** A time tick's label (UTC): `14:05`, or `Dec 7` for whole days. */
export function formatTime(at: number, days: boolean): string {
  const date = new Date(at);
  if (days) return `${MONTHS[date.getUTCMonth()]} ${date.getUTCDate()}`;
  return date.toISOString().slice(11, 16);
}

/** A time as the data tables write it: `2026-12-07 14:05 UTC`. */
export function formatDateTime(at: number): string {
  return `${new Date(at).toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

/** A value on an axis: short (`1.5k`, `250`, `0.5`). */
export function formatTick(value: number): string {
  if (Math.abs(value) >= 1000) {
    const thousands = value / 1000;
    return Math.abs(thousands) >= 1000
      ? `${Number((thousands / 1000).toPrecision(3))}M`
      : `${Number(thousands.toPrecision(3))}k`;
  }
  return String(Number(value.toPrecision(3)));
}

/** A bucket's length as a caption says it: `1-minute`, `15-minute`, `6-hour`, `1-day`. */
export function formatStep(ms: number): string {
  const minutes = ms / 60_000;
  if (minutes % 1440 === 0) return `${minutes / 1440}-day`;
  if (minutes % 60 === 0) return `${minutes / 60}-hour`;
  return `${Number(minutes.toPrecision(3))}-minute`;
}
