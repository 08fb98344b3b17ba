import { setTimeout as sleep } from "node:timers/promises";
import { emulatorApiToken } from "../../scripts/lib/platform.ts";
import { meterCpu } from "../shared/cpu.ts";
import { type Api, createNamespace, uploadTenantScript } from "../shared/emulator-api.ts";
import { type LoadResult, mergeResults, pool, runLoad, seededRandom, summarize, type Target } from "../shared/load.ts";
import { describeMachine } from "../shared/machine.ts";
import { type RssSampler, sampleRss } from "../shared/memory.ts";
import { DIRECT_WORKER } from "../shared/tenant-script.ts";
import { COMMAND, type MemoryPoint, type Report, type Row } from "./report.ts";
import { DIRECT_PATH, FRONT_ANSWER, FRONT_PATH, NAMESPACE_PREFIX } from "./routes.ts";
import type { BenchStack } from "./stack.ts";

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
/**
 * The reference runs (the namespace to one script, the front Worker alone)
 * send this fraction (1/n) of the measured runs' requests, to keep the bench short.
 */
const REFERENCE_SHARE = 4;
const SAMPLE_INTERVAL_MS = 250;
/** How long the bench leaves workerd idle at the end, to see whether anything is unloaded without traffic. */
const IDLE_MS = 10_000;
const SEED = 0x5eed;

export const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
const scriptName = (i: number) => `t${String(i).padStart(5, "0")}`;

/** What every phase uses: where to send requests, the time left, and the memory readings taken so far. */
class Bench {
  readonly stack: BenchStack;
  readonly options: Options;
  readonly signal: AbortSignal;
  readonly rss: RssSampler;
  readonly memory: MemoryPoint[] = [];
  /** Rows of the second table: cold loads, passes, warm-ups. */
  readonly other: Row[] = [];
  readonly #deadline: number;

  // Fields assigned by hand: Node runs this file by stripping types, which parameter properties are not.
  constructor(stack: BenchStack, options: Options, signal: AbortSignal) {
    this.stack = stack;
    this.options = options;
    this.#deadline = Date.now() + options.maxSeconds * 1000;
    const lost = new AbortController();
    const pids = [stack.runtimePid, ...stack.runnerPids];
    this.rss = sampleRss(pids, SAMPLE_INTERVAL_MS, (error) =>
      lost.abort(
        new Error(
          `a workerd runtime (pids ${pids.join(", ")}) went away mid-run (${error.message}): it crashed or was ` +
            "restarted, and figures from two runtimes would mean nothing",
        ),
      ),
    );
    // Figures from two runtimes would mean nothing: losing workerd stops the bench like Ctrl-C does.
    this.signal = AbortSignal.any([signal, lost.signal]);
  }

  remainingMs(): number {
    return Math.max(0, this.#deadline - Date.now());
  }

  /** A reading of the sampler; fails with the reason the bench stopped, if it did. */
  #read(reading: () => number): number {
    try {
      return reading();
    } catch (error) {
      this.signal.throwIfAborted();
      throw error;
    }
  }

  rssNow(): number {
    return this.#read(() => this.rss.now());
  }

  rssPeak(): number {
    return this.#read(() => this.rss.takePeak());
  }

  mark(label: string, bytes = this.rssNow()): void {
    this.memory.push({ label, bytes });
  }

  namespaceTarget(script: string): Target {
    return { url: `${this.stack.url}${NAMESPACE_PREFIX}${script}`, expected: script };
  }

  get directTarget(): Target {
    return { url: `${this.stack.url}${DIRECT_PATH}`, expected: DIRECT_WORKER };
  }

  get frontTarget(): Target {
    return { url: `${this.stack.url}${FRONT_PATH}`, expected: FRONT_ANSWER };
  }

  async load(
    what: string,
    count: number,
    concurrency: number,
    target: (i: number) => Target,
    onCompleted?: (completed: number) => void,
  ): Promise<LoadResult> {
    log(`${what}: ${count} requests, concurrency ${concurrency}`);
    const { signal } = this;
    const result = await runLoad({ count, concurrency, maxMs: this.remainingMs(), target, signal, onCompleted });
    for (const sample of result.failureSamples) log(`  failed: ${sample}`);
    signal.throwIfAborted();
    return result;
  }

  async run(label: string, count: number, concurrency: number, target: (i: number) => Target): Promise<Row> {
    return { label, concurrency, summary: summarize(await this.load(label, count, concurrency, target)) };
  }
}

async function uploadScripts(b: Bench, api: Api, namespace: string): Promise<Report["upload"]> {
  const { scripts } = b.options;
  log(`uploading ${scripts} scripts (concurrency ${UPLOAD_CONCURRENCY})`);
  const started = performance.now();
  await createNamespace(api, namespace, b.signal);
  const uploaded = await pool(
    scripts,
    UPLOAD_CONCURRENCY,
    (i) => uploadTenantScript(api, namespace, scriptName(i), b.signal),
    () => b.signal.aborted || b.remainingMs() === 0,
  );
  b.signal.throwIfAborted();
  if (uploaded < scripts) throw new Error(`only ${uploaded} of ${scripts} scripts uploaded within the time bound`);
  return { scripts, seconds: (performance.now() - started) / 1000 };
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

/** One of the measured runs: its label, its requests, and where the i-th of them goes. */
type Measured = { label: string; count: number; target: (i: number) => Target; results: LoadResult[] };

/**
 * The measured runs, interleaved: ROUNDS rounds, each sending its share of
 * every run in turn, so that whatever else the machine does during the bench
 * falls on all of them alike. The namespace run is spread uniformly (seeded)
 * over every script, all loaded once already; memory is read as it goes.
 */
async function measuredRuns(b: Bench): Promise<{ comparison: Report["comparison"]; traffic: Report["traffic"] }> {
  const { scripts, requests, concurrency } = b.options;
  const random = seededRandom(SEED);
  const order = Array.from({ length: requests }, () => scriptName(Math.floor(random() * scripts)));
  const reference = Math.ceil(requests / REFERENCE_SHARE);
  const hot = scriptName(0);
  const runs = {
    namespace: {
      label: `Namespace, uniform over ${scripts} scripts`,
      count: requests,
      target: (i: number) => b.namespaceTarget(order[i] as string),
      results: [],
    },
    direct: { label: "Direct, one loaded worker", count: requests, target: () => b.directTarget, results: [] },
    front: { label: "Front Worker alone, no loader", count: reference, target: () => b.frontTarget, results: [] },
    oneScript: {
      label: `Namespace, one script (${hot})`,
      count: reference,
      target: () => b.namespaceTarget(hot),
      results: [],
    },
  } satisfies Record<keyof Report["comparison"], Measured>;

  const traffic = [{ requests: 0, bytes: b.rssNow() }];
  b.rssPeak();
  for (let round = 0; round < ROUNDS; round++) {
    for (const run of Object.values(runs) as Measured[]) {
      const from = Math.floor((run.count * round) / ROUNDS);
      const to = Math.floor((run.count * (round + 1)) / ROUNDS);
      const what = `${run.label}, round ${round + 1}/${ROUNDS}`;
      run.results.push(await b.load(what, to - from, concurrency, (i) => run.target(from + i)));
    }
    traffic.push({ requests: Math.floor((requests * (round + 1)) / ROUNDS), bytes: b.rssNow() });
  }
  b.mark("peak during the measured runs", b.rssPeak());
  b.mark("after the measured runs");

  const row = ({ label, results }: Measured): Row => ({
    label,
    concurrency,
    summary: summarize(mergeResults(results)),
  });
  return {
    comparison: {
      namespace: row(runs.namespace),
      direct: row(runs.direct),
      front: row(runs.front),
      oneScript: row(runs.oneScript),
    },
    traffic,
  };
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
      cpu: cpu(),
    };
  } finally {
    b.rss.stop();
  }
}
