import { setTimeout as sleep } from "node:timers/promises";
import { emulatorApiToken } from "../../scripts/lib/platform.ts";
import { BenchRun, log, type Measured } from "../shared/bench-run.ts";
import { meterCpu, meterGroups, meterProcesses } from "../shared/cpu.ts";
import { type Api, createNamespace, uploadTenantScript } from "../shared/emulator-api.ts";
import { type LoadResult, mergeResults, pool, seededRandom, summarize, type Target } from "../shared/load.ts";
import { describeMachine } from "../shared/machine.ts";
import { DIRECT_WORKER } from "../shared/tenant-script.ts";
import { COMMAND, type Report } from "./report.ts";
import {
  BARE_PREFIX,
  DIRECT_PATH,
  FRONT_ANSWER,
  FRONT_PATH,
  NAMESPACE_GET_PREFIX,
  NAMESPACE_PREFIX,
} from "./routes.ts";
import { type BenchStack, LOADED_WORKER_MIN_IDLE_MS } from "./stack.ts";

export type Options = { scripts: number; requests: number; concurrency: number; maxSeconds: number };
/** The account and namespace the front Worker's DISPATCHER binding points at. */
export type Scope = { accountId: string; namespace: string };

const UPLOAD_CONCURRENCY = 8;
/** Scripts first loaded one at a time, for the latency of a cold load without queueing behind others. */
const COLD_SAMPLE = 50;
/** The first pass is cut in this many steps, reading workerd's memory after each. */
const GROWTH_STEPS = 4;
/**
 * The measured runs are sent in this many interleaved rounds; workerd's memory
 * is read after each (does it keep growing with traffic alone?).
 */
const ROUNDS = 8;
/** Bare workers loaded at the end, for what one loaded worker costs in memory with nothing of the emulator's in it. */
const BARE_SAMPLE = 200;
/** How long memory is left to settle before and after the bare workers are loaded. */
const SETTLE_MS = 2_000;
/** How long the bench leaves workerd idle at the end, to see whether anything is unloaded without traffic. */
const IDLE_MS = 10_000;
const SEED = 0x5eed;

const scriptName = (i: number) => `t${String(i).padStart(5, "0")}`;

/** The phases' run, with the namespace bench's targets: a script through the namespace, the direct worker, the front. */
class Bench extends BenchRun<Options, BenchStack> {
  namespaceTarget(script: string): Target {
    return { url: `${this.stack.url}${NAMESPACE_PREFIX}${script}`, expected: script };
  }

  namespaceGetTarget(script: string): Target {
    return { url: `${this.stack.url}${NAMESPACE_GET_PREFIX}${script}`, expected: script };
  }

  bareTarget(n: number): Target {
    return { url: `${this.stack.url}${BARE_PREFIX}${n}`, expected: `bare-${n}` };
  }

  get directTarget(): Target {
    return { url: `${this.stack.url}${DIRECT_PATH}`, expected: DIRECT_WORKER };
  }

  get frontTarget(): Target {
    return { url: `${this.stack.url}${FRONT_PATH}`, expected: FRONT_ANSWER };
  }
}

async function uploadScripts(b: Bench, api: Api, namespace: string): Promise<Report["upload"]> {
  const { scripts } = b.options;
  log(`uploading ${scripts} scripts (concurrency ${UPLOAD_CONCURRENCY})`);
  const started = performance.now();
  const cpu = meterProcesses([b.stack.runtimePid, process.pid, ...b.stack.runnerPids]);
  const stackCpu = meterGroups([b.stack.group.pid, ...b.stack.runnerGroups.map((g) => g.pid)]);
  await createNamespace(api, namespace, b.signal);
  const uploaded = await pool(
    scripts,
    UPLOAD_CONCURRENCY,
    (i) => uploadTenantScript(api, namespace, scriptName(i), b.signal),
    () => b.signal.aborted || b.remainingMs() === 0,
  );
  b.signal.throwIfAborted();
  if (uploaded < scripts) throw new Error(`only ${uploaded} of ${scripts} scripts uploaded within the time bound`);
  const seconds = (performance.now() - started) / 1000;
  const [runtime = 0, client = 0, ...runners] = cpu().map((used) => used / scripts);
  const all = stackCpu() / scripts;
  return { scripts, seconds, cpuMsPerUpload: { runtime, client, runners: runners.reduce((a, n) => a + n, 0), all } };
}

/** Loads every script once: the first few alone (cold latency), the rest in steps, reading memory after each. */
async function firstPass(b: Bench): Promise<Report["growth"]> {
  const { scripts, concurrency } = b.options;
  b.rssPeak();
  const cold = Math.min(COLD_SAMPLE, scripts);
  b.other.push(
    await b.run("Namespace, first load of a script, one at a time", cold, 1, (i) => b.namespaceTarget(scriptName(i))),
  );
  const growth = [{ loaded: cold, bytes: b.rssNow() }];
  const stepSize = Math.ceil((scripts - cold) / GROWTH_STEPS);
  const steps: LoadResult[] = [];
  for (let from = cold; from < scripts; from += stepSize) {
    const count = Math.min(stepSize, scripts - from);
    const what = `first pass, scripts ${from}..${from + count - 1}`;
    steps.push(await b.load(what, count, concurrency, (i) => b.namespaceTarget(scriptName(from + i))));
    growth.push({ loaded: from + count, bytes: b.rssNow() });
  }
  if (steps.length > 0) {
    const label = `Namespace, first load of each of the other ${scripts - cold} scripts`;
    b.other.push({ label, concurrency, summary: summarize(mergeResults(steps)) });
  }
  b.mark(`after the first pass (${scripts} distinct scripts loaded)`);
  b.mark("peak during the first pass", b.rssPeak());
  return growth;
}

/** One cold load of the direct worker, and a warm-up, before it is measured. */
async function warmDirect(b: Bench): Promise<void> {
  const { requests, concurrency } = b.options;
  b.other.push(await b.run("Direct, first load", 1, 1, () => b.directTarget));
  const warmUp = Math.min(requests, Math.max(concurrency * 10, Math.floor(requests / 20)));
  b.other.push(await b.run("Direct, warm-up", warmUp, concurrency, () => b.directTarget));
}

/**
 * The measured runs, interleaved: ROUNDS rounds, each sending its share of
 * every run in turn, so that whatever else the machine does during the bench
 * falls on all of them alike. The namespace run is spread uniformly (seeded)
 * over every script, all loaded once already; memory is read as it goes.
 * Every run sends the same number of requests: each share opens its own
 * connections and ramps up and drains, a cost that weighs more the shorter the
 * share, so runs compared as ratios need shares of the same length.
 */
async function measuredRuns(b: Bench): Promise<{ comparison: Report["comparison"]; traffic: Report["traffic"] }> {
  const { scripts, requests } = b.options;
  const random = seededRandom(SEED);
  const order = Array.from({ length: requests }, () => scriptName(Math.floor(random() * scripts)));
  const hot = scriptName(0);
  const runs = {
    namespace: {
      label: `Namespace, uniform over ${scripts} scripts`,
      count: requests,
      target: (i: number) => b.namespaceTarget(order[i] as string),
      // The workers it loaded past the bound are ended once idle this long: not the next run's work.
      settleMs: LOADED_WORKER_MIN_IDLE_MS,
    },
    direct: { label: "Direct, one loaded worker", count: requests, target: () => b.directTarget },
    front: { label: "Front Worker alone, no loader", count: requests, target: () => b.frontTarget },
    oneScript: {
      label: `Namespace, one script (${hot})`,
      count: requests,
      target: () => b.namespaceTarget(hot),
    },
    getOnly: {
      label: `Namespace \`get()\` alone, no \`fetch()\` (${hot})`,
      count: requests,
      target: () => b.namespaceGetTarget(hot),
    },
  } satisfies Record<keyof Report["comparison"], Measured>;

  const traffic = [{ requests: 0, bytes: b.rssNow() }];
  const comparison = await b.interleave(runs, ROUNDS, (round) =>
    traffic.push({ requests: Math.floor((requests * round) / ROUNDS), bytes: b.rssNow() }),
  );
  b.mark("peak during the measured runs", b.rssPeak());
  b.mark("after the measured runs");
  return { comparison, traffic };
}

/** Every script again: a load again if the loader evicted it, a cache hit if not. Then a pause with no traffic. */
async function secondPassAndIdle(b: Bench): Promise<void> {
  const { scripts, concurrency } = b.options;
  b.rssPeak();
  const label = `Namespace, second pass over all ${scripts} scripts`;
  b.other.push(await b.run(label, scripts, concurrency, (i) => b.namespaceTarget(scriptName(i))));
  b.mark("peak during the second pass", b.rssPeak());
  b.mark("after the second pass");
  await sleep(Math.min(IDLE_MS, b.remainingMs()), undefined, { signal: b.signal });
  b.mark(`after ${IDLE_MS / 1000} s idle`);
}

/**
 * Loads BARE_SAMPLE bare workers (the tenant code alone, straight into the Worker Loader, each once)
 * and reads how much workerd's memory grew: the floor under what a loaded tenant worker can cost,
 * against which the namespace's own growth per script reads.
 */
async function bareWorkers(b: Bench): Promise<Report["bare"]> {
  const workers = Math.min(BARE_SAMPLE, b.options.scripts);
  await sleep(Math.min(SETTLE_MS, b.remainingMs()), undefined, { signal: b.signal });
  const before = b.rssNow();
  b.other.push(await b.run("Bare workers, each loaded once (memory floor)", workers, 8, (i) => b.bareTarget(i)));
  await sleep(Math.min(SETTLE_MS, b.remainingMs()), undefined, { signal: b.signal });
  return { workers, bytes: b.rssNow() - before };
}

/** Runs every phase in order against a started stack. */
export async function measure(stack: BenchStack, options: Options, scope: Scope, signal: AbortSignal): Promise<Report> {
  const b = new Bench(stack, options, signal);
  const api: Api = { baseUrl: stack.url, token: emulatorApiToken(), accountId: scope.accountId };
  const cpu = meterCpu([stack.group.pid, ...stack.runnerGroups.map((g) => g.pid)]);
  try {
    b.mark("after start-up (nothing uploaded)");
    const upload = await uploadScripts(b, api, scope.namespace);
    b.mark(`after uploading ${options.scripts} scripts (none loaded)`);
    const growth = await firstPass(b);
    await warmDirect(b);
    const { comparison, traffic } = await measuredRuns(b);
    await secondPassAndIdle(b);
    const bare = await bareWorkers(b);
    return {
      date: new Date().toISOString().slice(0, 10),
      machine: describeMachine(stack.workerdVersion),
      sources: stack.sources,
      command: [COMMAND, ...(process.argv.length > 2 ? ["--", ...process.argv.slice(2)] : [])].join(" "),
      scripts: options.scripts,
      runners: stack.runnerPids.length,
      upload,
      comparison,
      other: b.other,
      memory: b.memory,
      growth,
      traffic,
      bare,
      cpu: cpu(),
    };
  } finally {
    b.rss.stop();
  }
}
