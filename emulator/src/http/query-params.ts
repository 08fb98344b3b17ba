import type { Context } from "hono";
import { ApiError } from "./errors";

export type IntRange = { min: number; max: number; default: number };

/**
 * An integer query parameter within bounds, or its default when absent.
 * Anything else is a 400 with the service's own code, naming the parameter.
 */
export function intQueryParam(c: Context, name: string, range: IntRange, errorCode: number): number {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return range.default;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new ApiError(400, errorCode, `${name} must be an integer between ${range.min} and ${range.max}`);
  }
  return value;
}

/** An enumerated query parameter, or undefined when absent; anything outside the values is a 400. */
export function enumQueryParam<T extends string>(
  c: Context,
  name: string,
  values: readonly T[],
  errorCode: number,
): T | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === "") return undefined;
  if (!(values as readonly string[]).includes(raw)) {
    throw new ApiError(400, errorCode, `${name} must be one of: ${values.join(", ")}`);
  }
  return raw as T;
}

/** `page` from 1 up: the v4 page-number pagination every page-based listing shares. */
export const pageQueryParam = (c: Context, errorCode: number) =>
  intQueryParam(c, "page", { min: 1, max: Number.MAX_SAFE_INTEGER, default: 1 }, errorCode);

/** result_info of a page-based listing. */
export const pageResultInfo = (page: number, perPage: number, count: number, total: number) => ({
  page,
  per_page: perPage,
  count,
  total_count: total,
  total_pages: Math.ceil(total / perPage),
});
