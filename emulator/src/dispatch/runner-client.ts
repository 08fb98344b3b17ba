import { RUNAWAY_MIN_MS } from "../runner/health";
import { runnerIndexFor } from "../runner/placement";
import {
  RUN_HEADER,
  RUNNER_FAILURE_HEADER,
  RUNNER_STARTUP_PATH,
  RunnerFailure,
  type RunOrder,
  StartupOutcome,
} from "../runner/protocol";
import { offerStartupJob, type StartupJob } from "./runner-support";

/** The runner that runs a script, of the runners' base URLs (placement.ts). */
export const runnerUrlFor = (runnerUrls: readonly string[], scope: RunOrder["scope"]): string =>
  runnerUrls[runnerIndexFor(scope, runnerUrls.length)] as string;

/** Production's message when a request runs past its CPU limit (error 1102), which the dispatcher's `fetch()` throws. */
export const CPU_LIMIT_EXCEEDED = "Worker exceeded CPU time limit.";

/** How long a request waits for a runner that is starting again (its supervisor replaced it) before it fails. */
const RESTART_WAIT_MS = 30_000;
const RETRY_EVERY_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Runs a request in the runner process that runs its script (src/runner) and
 * answers as the in-process path does: the tenant's response, or the error its
 * code threw.
 *
 * When the connection to the runner fails, workerd says only "Network
 * connection lost.", whether the runner was ended under the request or was not
 * there to take it (it is starting again). The time the request was out tells
 * them apart: the supervisor ends a runner only once it has been held for
 * RUNAWAY_MIN_MS or more (scripts/lib/runner-watch.ts), so a request lost
 * sooner was sent while it was held or gone, and never began to run. Such a
 * request is sent again (if it has no body, which the first try may have
 * used), until the runner is back; one out for longer was in the runner when
 * it was ended, and fails with production's CPU limit error.
 */
export async function runInRunner(runnerUrls: readonly string[], order: RunOrder, request: Request): Promise<Response> {
  const runner = runnerUrlFor(runnerUrls, order.scope);
  const started = Date.now();
  for (;;) {
    // The runner gives the tenant the request's own URL and Accept-Encoding back, from the order.
    const forwarded = new Request(new URL("/", runner), request);
    forwarded.headers.set(RUN_HEADER, JSON.stringify(order));
    forwarded.headers.set("accept-encoding", "identity");
    const sentAt = Date.now();
    let response: Response;
    try {
      response = await fetch(forwarded);
    } catch (error) {
      if (Date.now() - sentAt >= RUNAWAY_MIN_MS) throw new Error(CPU_LIMIT_EXCEEDED, { cause: error });
      if (request.body !== null || Date.now() - started >= RESTART_WAIT_MS) {
        throw new Error(`the tenant runner at ${runner} was not there to take the request`, { cause: error });
      }
      await sleep(RETRY_EVERY_MS);
      continue;
    }
    if (response.headers.has(RUNNER_FAILURE_HEADER)) {
      const failure = RunnerFailure.parse(await response.json());
      throw new Error(failure.message);
    }
    return response;
  }
}

/**
 * Starts an uploaded version once in the runner that would run its script
 * (the startup check at upload). "ended": the runner was ended while the
 * version started, which only a start that held it past the supervisor's
 * bound does, a top level that never ends for one.
 */
export async function startInRunner(runnerUrls: readonly string[], job: StartupJob): Promise<StartupOutcome | "ended"> {
  const runner = runnerUrlFor(runnerUrls, job.scope);
  const offered = offerStartupJob(job);
  const started = Date.now();
  try {
    for (;;) {
      const sentAt = Date.now();
      let response: Response;
      try {
        response = await fetch(new URL(RUNNER_STARTUP_PATH, runner), {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ id: offered.id }),
        });
      } catch (error) {
        if (Date.now() - sentAt >= RUNAWAY_MIN_MS) return "ended";
        if (Date.now() - started >= RESTART_WAIT_MS) {
          throw new Error(`the tenant runner at ${runner} was not there to start the script`, { cause: error });
        }
        await sleep(RETRY_EVERY_MS);
        continue;
      }
      if (!response.ok)
        throw new Error(`the tenant runner at ${runner} answered ${response.status}: ${await response.text()}`);
      return StartupOutcome.parse(await response.json());
    }
  } finally {
    offered.withdraw();
  }
}
