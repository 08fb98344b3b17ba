import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { inTurns } from "../../../platform/turns";
import { configOf } from "../config";
import type { AppEnv } from "./types";

/** Methods that only read: they never wait for a turn. */
const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/** One line per limit (an isolate has one configuration; tests may set several). */
const lines = new Map<number, ReturnType<typeof inTurns>>();

/**
 * The API's changes take turns: at most CHANGES_AT_ONCE at once in this
 * isolate, the rest started in the order they arrived. Under a burst of POSTs
 * every one of them otherwise shares the isolate's one thread with all the
 * others, so every tenant is recorded near the end of the burst; in turns, the
 * first to come are recorded first, and their provisioning starts while the
 * rest of the burst is still coming (docs/benchmarks.md, "Onboarding").
 * Reads never wait: a tenant's state stays readable while a burst goes on.
 */
export const changesInTurn = createMiddleware<AppEnv>(async (c, next) => {
  if (READS.has(c.req.method)) return next();
  const limit = configOf(c.env).changesAtOnce;
  let line = lines.get(limit);
  if (line === undefined) {
    line = inTurns(limit, { mayVanish: true });
    lines.set(limit, line);
  }
  await line(async (leave) => {
    c.set("leaveTurn", leave);
    await next();
  });
});

/**
 * The change leaves its turn before it ends: what is left of it waits on
 * someone else (the API's check of a script), and, waiting there, it is in the
 * API budget's line, where the budget puts it ahead of background calls. A
 * turn held through that wait would keep the changes behind it from reaching
 * that line at all. Nothing for a read.
 */
export function leaveTurn(c: Context<AppEnv>): void {
  c.get("leaveTurn")?.();
}
