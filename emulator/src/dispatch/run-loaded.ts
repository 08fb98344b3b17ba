import { waitUntil } from "cloudflare:workers";
import type { Exports, RunScope } from "../bindings/kind";
import type { ScheduledEvent, ScheduledOutcome } from "../runner/protocol";
import { openInvocation } from "./invocations";
import { evictWorker, type LoadedWorkers } from "./loaded-workers";

/** One request to run in a loaded tenant worker, in whichever process runs tenant code. */
export interface LoadedRun {
  loader: WorkerLoader;
  loaded: LoadedWorkers;
  /** The entrypoints of the process that runs it: the worker's binding stubs and egress come from these. */
  exports: Exports;
  scope: RunScope;
  /** The version to run: a re-upload has a new etag, and so is a new worker. */
  etag: string;
  /** Every version of the script's active deployment: none of them is a superseded worker. */
  deployedEtags: readonly string[];
  /** Parameters for the outbound worker, or null when the namespace binding has none. */
  outboundParams: Record<string, unknown> | null;
  /** Whether the worker's trace events go to the platform's tail Worker (TenantTail). */
  tail: boolean;
  subrequestLimit?: number | undefined;
  /** The worker's code, asked for only when the loader does not have it yet. */
  code(egress: Fetcher): Promise<WorkerLoaderWorkerCode>;
}

/** Runs `request` in the run's worker (runInLoaded). */
export const runLoaded = (run: LoadedRun, request: Request): Promise<Response> =>
  runInLoaded(run, (entry) => entry.fetch(request));

/**
 * workerd's `Fetcher.scheduled()`, which workers-types declares only in its experimental types:
 * it runs the entrypoint's `scheduled` handler as a Cron Trigger does (compatibility flag
 * `service_binding_extra_handlers`, in wrangler.toml and runner.wrangler.toml).
 */
type ScheduledFetcher = Fetcher & {
  scheduled(options: { cron: string; scheduledTime: Date }): Promise<ScheduledOutcome>;
};

/** Runs the run's worker's `scheduled()` for one Cron Trigger firing (runInLoaded). */
export const callScheduled = (run: LoadedRun, event: ScheduledEvent): Promise<ScheduledOutcome> =>
  runInLoaded(run, async (entry) => {
    const { outcome, noRetry } = await (entry as ScheduledFetcher).scheduled({
      cron: event.cron,
      scheduledTime: new Date(event.scheduledTime),
    });
    return { outcome, noRetry };
  });

/**
 * Calls the run's worker (its default entrypoint: `fetch`, or `scheduled` for a
 * Cron Trigger), loading it first if needed: the one path to tenant code,
 * whether the emulator runs it in its own process or a runner process does
 * (src/runner). It opens the invocation whose subrequest budget the egress
 * spends from, and evicts the workers the bound says to.
 */
export async function runInLoaded<T>(run: LoadedRun, call: (entry: Fetcher) => Promise<T>): Promise<T> {
  const { accountId, namespace, script } = run.scope;
  const outbound = `${JSON.stringify(run.outboundParams)}${run.tail ? "+tail" : ""}`;
  // The loader caches a worker by name: the etag makes a re-upload a new worker, and the outbound
  // parameters and the tail are part of the worker (its egress, its tails), so they are part of the name too.
  const scriptKey = `${accountId}/${namespace}/${script}#${outbound}`;
  const baseOf = (etag: string) => `${accountId}/${namespace}/${script}@${etag}#${outbound}`;
  const base = baseOf(run.etag);
  const worker = run.loader.get(run.loaded.nameFor(base), async () => {
    const egress = run.exports.TenantEgress?.({ props: { outboundParams: run.outboundParams } }) as Fetcher;
    const code = await run.code(egress);
    if (!run.tail) return code;
    return { ...code, tails: [run.exports.TenantTail?.({ props: { scope: run.scope } }) as Fetcher] };
  });

  const invocation = openInvocation(run.subrequestLimit);
  const done = run.loaded.begin(scriptKey, base, run.deployedEtags.map(baseOf));
  try {
    return await call(worker.getEntrypoint(undefined, { props: { __wfp: { invocation: invocation.id } } }));
  } finally {
    invocation.close();
    done();
    evictDue(run);
  }
}

/** A sweep waits at least this long after the last, so that workers falling due one by one go in batches. */
const SWEEP_INTERVAL_MS = 250;
/** When each loaded-worker bound's pending sweep is to run. */
const sweeps = new WeakMap<LoadedWorkers, number>();

/**
 * Evicts the workers the bound says may go now, and, when it keeps some only until they have been idle
 * for LOADED_WORKER_MIN_IDLE_MS, sweeps again then, in the background. Without that sweep a burst over
 * many scripts leaves its last workers loaded past the bound until the next request, which then pays
 * for ending them all at once (docs/benchmarks.md); production ends idle isolates without waiting for
 * traffic. One sweep is pending at a time, and each schedules the next: a worker that falls due before
 * it goes with it. The sweep waits in this request's `waitUntil`; should workerd cancel that, its time
 * passes without it, and the next request's `evictDue` schedules another.
 */
function evictDue(run: LoadedRun): void {
  const { loaded, loader } = run;
  for (const evictable of loaded.takeEvictable()) waitUntil(evictWorker(loader, evictable));
  const at = loaded.nextEvictionAt();
  const now = Date.now();
  const pending = sweeps.get(loaded);
  if (at === null || (pending !== undefined && pending + SWEEP_INTERVAL_MS > now)) return;
  const runAt = Math.max(at, now + SWEEP_INTERVAL_MS);
  sweeps.set(loaded, runAt);
  waitUntil(
    scheduler.wait(runAt - now).then(() => {
      if (sweeps.get(loaded) === runAt) sweeps.delete(loaded);
      evictDue(run);
    }),
  );
}
