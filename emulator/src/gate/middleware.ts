import type { Context, Next } from "hono";
import { createMiddleware } from "hono/factory";
import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { ApiError, type ErrorStatus } from "../http/errors";
import { fail } from "../http/respond";
import type { ApiEnv } from "../http/types";
import type { Admission, FaultAction } from "./store";

/** The Gate keys rate-limit windows by a hash, so the token itself is never stored. */
async function hashToken(token: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Resolves after `ms`, or as soon as the client goes away. */
function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Faults that act before the route; `lose` acts after it, see the middleware. */
async function applyFault(action: Exclude<FaultAction, { kind: "lose" }>, signal: AbortSignal): Promise<void> {
  switch (action.kind) {
    case "delay":
      await wait(action.ms, signal);
      return;
    case "hang":
      await wait(action.ms, signal);
      throw new ApiError(504, ErrorCode.internalError, "Injected hang: no answer was given");
    case "fail": {
      const headers: Record<string, string> =
        action.retryAfter === undefined ? {} : { "retry-after": String(action.retryAfter) };
      throw new ApiError(action.status as ErrorStatus, action.code, action.message, {}, headers);
    }
  }
}

const gateOf = (c: Context<ApiEnv>) => c.env.GATE.get(c.env.GATE.idFromName("gate"));

/** The call's path below /client/v4, as fault rules name it. */
const apiPath = (c: Context<ApiEnv>) => new URL(c.req.url).pathname.replace(/^\/client\/v4/, "");

/** Carries out the Gate's decision on a call: refuse it, or run it (after a fault's delay, or losing its answer). */
async function admitted(c: Context<ApiEnv>, admission: Admission, next: Next): Promise<void> {
  if (admission.kind === "rate-limited") {
    throw new ApiError(
      429,
      ErrorCode.rateLimited,
      "Please wait and consider throttling your request speed",
      {},
      { "retry-after": String(admission.retryAfterSeconds) },
    );
  }
  if (admission.kind !== "fault") return next();
  const action = admission.action;
  if (action.kind !== "lose") {
    await applyFault(action, c.req.raw.signal);
    return next();
  }
  await next();
  // What the route did stays done; only its answer goes. Cleared first, so
  // that none of the lost answer's headers (an etag, a length) carry over.
  await c.res.body?.cancel();
  c.res = undefined;
  await wait(action.ms, c.req.raw.signal);
  c.res = fail(
    new ApiError(
      action.status as ErrorStatus,
      ErrorCode.internalError,
      "Injected lost answer: the call ran, its answer did not arrive",
    ),
  );
}

/**
 * Runs every authenticated call past the Gate: the rate limit (429, code 971,
 * Retry-After) and any injected fault, before the route does anything; a
 * `lose` fault lets the route run and then throws its answer away.
 */
export const gate = createMiddleware<ApiEnv>(async (c, next) => {
  const admission = await gateOf(c).admit(await hashToken(c.get("token")), c.req.method, apiPath(c));
  await admitted(c, admission, next);
});

/**
 * Injected faults alone, for a route authorised by its own JWT rather than an API token (the assets
 * upload): there is no token to rate-limit, but the control plane's fault tests target the route.
 */
export const faultGate = createMiddleware<ApiEnv>(async (c, next) => {
  await admitted(c, await gateOf(c).admitFault(c.req.method, apiPath(c)), next);
});
