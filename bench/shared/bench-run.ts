import { setTimeout as sleep } from "node:timers/promises";
import { meterProcesses } from "./cpu.ts";
import { type LoadResult, mergeResults, runLoad, type Summary, summarize, type Target } from "./load.ts";
import { type RssSampler, sampleRss } from "./memory.ts";

/** One measured run as a report's table shows it. */
export type Row = { label: string; concurrency: number; summary: Summary };
/** A reading of the runtimes' resident memory, and when it was taken. */
export type MemoryPoint = { label: string; bytes: number };

export const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

const SAMPLE_INTERVAL_MS = 250;
/** The runtime is quiet once it used less than this share of a core over one sample interval. */
const QUIET_SHARE = 0.1;
/** A settling runtime that is not quiet by then is measured all the same (and the wait is logged). */
const QUIET_TIMEOUT_MS = 15_000;

/**
 * A measured run: its requests, sent in rounds interleaved with the other runs' (`BenchRun.interleave`).
 * `settleMs`: how long the runtime may go on working for the run after its last response (evicting
 * the workers it loaded, say); the next run's share starts only after that and once the runtime is
 * quiet, so that it is not measured doing this run's work.
 */
export type Measured = { label: string; count: number; target: (i: number) => Target; settleMs?: number };

/** The workerd processes a bench's figures come from. */
export type Runtimes = { readonly runtimePid: number; readonly runnerPids: readonly number[] };

/**
 * What every phase of a bench that loads the local runtimes uses: the time
 * left under its bound, its runs (checked, summarized), and the runtimes'
 * memory, sampled throughout, with the readings the report shows. A bench adds
 * its own targets (the paths it compares) by extending it.
 */
export class BenchRun<O extends { maxSeconds: number; concurrency: number }, S extends Runtimes = Runtimes> {
  readonly stack: S;
  readonly options: O;
  readonly signal: AbortSignal;
  readonly rss: RssSampler;
  readonly memory: MemoryPoint[] = [];
  /** Rows of the report's second table: first loads, passes, warm-ups. */
  readonly other: Row[] = [];
  readonly #deadline: number;

  // Fields assigned by hand: Node runs this file by stripping types, which parameter properties are not.
  constructor(stack: S, options: O, signal: AbortSignal) {
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

  /** Waits `ms`, then until the runtimes are quiet (see `Measured`'s `settleMs`). */
  async settle(ms: number): Promise<void> {
    const { signal } = this;
    await sleep(ms, undefined, { signal });
    const pids = [this.stack.runtimePid, ...this.stack.runnerPids];
    const giveUpAt = Date.now() + QUIET_TIMEOUT_MS;
    for (;;) {
      const used = meterProcesses(pids);
      await sleep(SAMPLE_INTERVAL_MS, undefined, { signal });
      if (Math.max(...used()) < SAMPLE_INTERVAL_MS * QUIET_SHARE) return;
      if (Date.now() > giveUpAt) {
        log(`the runtime was still busy ${QUIET_TIMEOUT_MS / 1000} s after settling began; going on`);
        return;
      }
    }
  }

  /**
   * The measured runs, interleaved: `rounds` rounds, each sending every run's
   * share of its requests in turn, so that a slow phase of the machine falls on
   * all of them alike; `afterRound` (1-based) runs after each round. The peak
   * memory reading is reset first.
   */
  async interleave<K extends string>(
    runs: Record<K, Measured>,
    rounds: number,
    afterRound: (round: number) => void,
  ): Promise<Record<K, Row>> {
    const { concurrency } = this.options;
    const entries = Object.entries(runs) as [K, Measured][];
    const results = new Map<K, LoadResult[]>(entries.map(([key]) => [key, []]));
    this.rssPeak();
    for (let round = 0; round < rounds; round++) {
      for (const [key, run] of entries) {
        const from = Math.floor((run.count * round) / rounds);
        const to = Math.floor((run.count * (round + 1)) / rounds);
        const what = `${run.label}, round ${round + 1}/${rounds}`;
        results.get(key)?.push(await this.load(what, to - from, concurrency, (i) => run.target(from + i)));
        if (run.settleMs !== undefined) await this.settle(run.settleMs);
      }
      afterRound(round + 1);
    }
    return Object.fromEntries(
      entries.map(([key, run]) => [
        key,
        { label: run.label, concurrency, summary: summarize(mergeResults(results.get(key) ?? [])) },
      ]),
    ) as Record<K, Row>;
  }
}
