import { Hono } from "hono";
import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { assetsControls } from "../assets/admin-routes";
import { validationTable } from "../custom-hostnames/table-routes";
import { dispatchRecords } from "../dispatch/dispatch-log";
import { FaultRuleInput, RateLimitConfig } from "../gate/store";
import { authenticate } from "../http/auth";
import { parseJsonBody } from "../http/body";
import { ApiError, methodNotAllowedError } from "../http/errors";
import { ok } from "../http/respond";
import type { ApiEnv } from "../http/types";
import { scheduleControls } from "./schedules";

/**
 * The emulator's own controls, outside /client/v4 so no Cloudflare client can
 * reach them by accident: fault injection and the rate limiter's settings.
 * Same token and envelope as the API, so one client serves both.
 */
export const admin = new Hono<ApiEnv>();

admin.get("/health", (c) => c.json({ ok: true, service: "wfp-emulator" }));

admin.use("*", authenticate);

const gateOf = (env: ApiEnv["Bindings"]) => env.GATE.get(env.GATE.idFromName("gate"));

admin.post("/faults", async (c) => {
  const input = await parseJsonBody(c, FaultRuleInput, ErrorCode.workersInvalidRequest);
  return ok(c, await gateOf(c.env).addFault(input));
});
admin.get("/faults", async (c) => ok(c, await gateOf(c.env).listFaults()));
admin.delete("/faults", async (c) => ok(c, { deleted: await gateOf(c.env).clearFaults() }));
admin.delete("/faults/:id", async (c) => {
  const removed = await gateOf(c.env).removeFault(c.req.param("id"));
  if (!removed) throw new ApiError(404, ErrorCode.noRoute, "No such fault");
  return ok(c, { id: c.req.param("id") });
});

admin.get("/rate-limit", async (c) => ok(c, await gateOf(c.env).getRateLimit()));
admin.put("/rate-limit", async (c) => {
  const config = await parseJsonBody(c, RateLimitConfig, ErrorCode.workersInvalidRequest);
  return ok(c, await gateOf(c.env).setRateLimit(config));
});

/** API calls received since the last reset (or the start): total, answered 429, busiest second. */
admin.get("/calls", async (c) => ok(c, await gateOf(c.env).callCounts()));
admin.delete("/calls", async (c) => ok(c, await gateOf(c.env).resetCallCounts()));
admin.all("/calls", (c) => {
  throw methodNotAllowedError(c.req.method);
});

/** Analytics Engine data points written by tenant workers, newest `limit` (default 100, at most 10,000), oldest first. */
admin.get("/analytics/:account_id/:dataset", async (c) => {
  const limit = Number(c.req.query("limit") ?? "100");
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) {
    throw new ApiError(400, ErrorCode.workersInvalidRequest, "limit must be an integer from 1 to 10000");
  }
  const store = c.env.ANALYTICS.get(c.env.ANALYTICS.idFromName(c.req.param("account_id")));
  return ok(c, await store.read(c.req.param("dataset"), limit));
});

/** The limits each script of an account was last dispatched with (cpuMs is recorded, not enforced, locally). */
admin.get("/dispatches/:account_id", (c) => ok(c, dispatchRecords(c.req.param("account_id"))));

/** The DNS and HTTP table custom hostnames are validated against, and the validation timeout. */
admin.route("/", validationTable);

/** Cron Triggers fired now, for tests. */
admin.route("/", scheduleControls);

/** The asset files an account has, and those the upload route took. */
admin.route("/", assetsControls);
