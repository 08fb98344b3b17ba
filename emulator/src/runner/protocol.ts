import { z } from "zod";
import { AccountId } from "../../../cloudflare-api/names";

/*
 * How the emulator hands a request to a runner process, and what the runner
 * answers. A runner (this folder) is a Worker of its own, started by
 * scripts/runner-dev.ts, that runs tenants' code apart from the emulator's
 * REST API and stores: a tenant whose code never yields then holds its runner,
 * not the emulator, and the runner's supervisor replaces the runner.
 */

/** The run order, on the request the emulator forwards (it replaces any a client sent; the runner strips it). */
export const RUN_HEADER = "x-wfp-run";
/** Marks the runner's own failure answers: the tenant's code threw, or the script could not be run. */
export const RUNNER_FAILURE_HEADER = "x-wfp-runner-failure";

/** A Cron Trigger's firing, as a worker's `scheduled()` controller gets it (`scheduledTime` in epoch ms). */
export const ScheduledEvent = z.object({ cron: z.string(), scheduledTime: z.number().int().nonnegative() });
export type ScheduledEvent = z.infer<typeof ScheduledEvent>;

export const RunOrder = z.object({
  /** The request's URL, which the tenant sees (the forwarded request is addressed to the runner). */
  url: z.url(),
  /**
   * The request's own Accept-Encoding. The hop to the runner asks for none (identity): miniflare would
   * otherwise compress the answer for the hop, and the tenant's response would come back encoded.
   */
  acceptEncoding: z.string().nullable(),
  scope: z.object({ accountId: AccountId, namespace: z.string(), script: z.string() }),
  etag: z.string(),
  /** The version of the script's active deployment the emulator chose for this request (the runner loads that one). */
  versionId: z.string(),
  /** The etags of every version in the active deployment: they stay loaded side by side (loaded-workers.ts). */
  deployedEtags: z.array(z.string()),
  outboundParams: z.record(z.string(), z.unknown()).nullable(),
  /** Whether the script's trace events go to the platform's tail Worker (dispatch-types.ts `tail`). */
  tail: z.boolean(),
  subrequestLimit: z.number().int().nonnegative().optional(),
  /** The plan's CPU time per request: the supervisor's runaway bound is a multiple of it. */
  cpuMs: z.number().positive().optional(),
  /** Present for a Cron Trigger: the runner calls the worker's `scheduled()` with it, not `fetch()`. */
  scheduled: ScheduledEvent.optional(),
});
export type RunOrder = z.infer<typeof RunOrder>;

/** What a `scheduled()` run came to, as workerd's `Fetcher.scheduled()` answers it: `ok`, `exception`, … */
export const ScheduledOutcome = z.object({ outcome: z.string(), noRetry: z.boolean() });
export type ScheduledOutcome = z.infer<typeof ScheduledOutcome>;

/** The URL of a Cron Trigger's run order: it has no request, and a runner order needs one (wrangler's own path). */
export const SCHEDULED_URL = "http://scheduled.invalid/cdn-cgi/handler/scheduled";

/** Where the emulator asks a runner to start an uploaded version once (the startup check at upload). */
export const RUNNER_STARTUP_PATH = "/__runner/startup";
/** Which start: the runner fetches the version's code from the emulator by this id (RunnerSupport.startup). */
export const StartupOrder = z.object({ id: z.uuid() });

/** Where the emulator asks a runner to delete a script's objects' storage (durable-objects/purge.ts). */
export const RUNNER_PURGE_PATH = "/__runner/purge-objects";
export const PurgeOrder = z.object({
  scope: z.object({ accountId: AccountId, namespace: z.string(), script: z.string() }),
  namespaces: z.union([z.array(z.string()), z.literal("all")]),
});

/** Where the emulator tells a runner a script has a new deployment (durable-objects/purge.ts `redeployObjects`). */
export const RUNNER_REDEPLOY_PATH = "/__runner/redeploy-objects";
export const RedeployOrder = z.object({
  scope: z.object({ accountId: AccountId, namespace: z.string(), script: z.string() }),
});

/** How a start went: the runtime's text if it failed, and how long it took (wall-clock). */
export const StartupOutcome = z.object({
  failure: z.string().nullable(),
  elapsedMs: z.number().nonnegative(),
  /** The first declared Durable Object class the main module does not export, if any. */
  unexportedClass: z.string().nullable(),
  /** The handlers of the main module's default export (`fetch`, `scheduled`, …), none when it failed. */
  handlers: z.array(z.string()),
});
export type StartupOutcome = z.infer<typeof StartupOutcome>;

/** A runner's failure answer: its status is 500 and RUNNER_FAILURE_HEADER is set; the message is what `fetch()` throws. */
export const RunnerFailure = z.object({ message: z.string() });
