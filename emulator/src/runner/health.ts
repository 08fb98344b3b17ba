import { z } from "zod";

/*
 * What the runner's supervisor (scripts/lib/runner-watch.ts, in Node) reads. This module imports nothing
 * of the repository's, so that Node can load it as it is.
 */

/** Answered by the runner's own code, on the thread tenants' code runs on: no answer means that thread is held. */
export const RUNNER_HEALTH_PATH = "/__runner/health";

/** What the health path answers: how many requests are in the runner, and the largest CPU limit among them. */
export const RunnerHealth = z.object({ inFlight: z.number().int().nonnegative(), cpuMs: z.number().nullable() });
export type RunnerHealth = z.infer<typeof RunnerHealth>;

/**
 * The least time the supervisor lets a runner go without answering before it ends it. The emulator
 * relies on it too: a request lost sooner than this after it was sent cannot have started running
 * in the runner that was ended (dispatch/runner-client.ts).
 */
export const RUNAWAY_MIN_MS = 2_000;
