import type { Exports, RunScope } from "../bindings/kind";
import type { Env } from "../env";
import { SCHEDULED_URL, type ScheduledEvent, ScheduledOutcome } from "../runner/protocol";
import { callScheduled } from "./run-loaded";
import { planRun } from "./run-plan";
import { runInRunner } from "./runner-client";

/**
 * Runs a script's `scheduled()` handler for one Cron Trigger firing, through the same path a
 * dispatched request takes (run-plan.ts, run-loaded.ts; in its runner when there are runners),
 * with workerd's own `Fetcher.scheduled()` on the loaded worker's entrypoint. The version is
 * chosen as for a request with no version headers (by the deployment's percentages). No
 * dispatcher is involved, so there is no outbound Worker (subrequests go out as the emulator's
 * direct egress allows) and no dispatch limits beyond the script's own; the trace events go to
 * the tail Worker as a dispatched request's do. A handler that throws is the outcome
 * `exception`, not an error; a missing script throws "Worker not found".
 */
export async function runScheduled(
  env: Env,
  exports: Exports,
  scope: RunScope,
  event: ScheduledEvent,
): Promise<ScheduledOutcome> {
  const { order, runnerUrls, local } = await planRun(env, exports, {
    scope,
    choice: { override: null, key: null },
    outboundParams: null,
    tail: true,
  });
  if (runnerUrls.length > 0) {
    const runOrder = { ...order, url: SCHEDULED_URL, acceptEncoding: null, scheduled: event };
    const response = await runInRunner(runnerUrls, runOrder, new Request(SCHEDULED_URL, { method: "POST" }));
    return ScheduledOutcome.parse(await response.json());
  }
  return callScheduled(local, event);
}
