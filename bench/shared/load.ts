import { Agent, get, type RequestOptions } from "node:http";

/** One request of a run: where it goes and the body that proves the right script answered. */
export type Target = { url: string; expected: string };

export type LoadPlan = {
  /** How many requests at most. */
  count: number;
  concurrency: number;
  /** Stop sending once this much time has passed, even if `count` is not reached. */
  maxMs: number;
  /** The i-th request. */
  target: (i: number) => Target;
  signal: AbortSignal;
  /** Called each time another request has completed (answered or failed), with how many have. */
  onCompleted?: (completed: number) => void;
};

export type LoadResult = {
  /** Latency of every request that got the expected answer, in milliseconds. */
  latenciesMs: number[];
  failures: number;
  /** The first few failures, to say what went wrong. */
  failureSamples: string[];
  elapsedMs: number;
  /** The time bound (or an abort) ended the run before `count` requests were sent. */
  cutShort: boolean;
};

/** A request that takes this long is a failure, not a latency. */
const REQUEST_TIMEOUT_MS = 30_000;
const FAILURE_SAMPLES = 5;

/**
 * Runs `task(0..count-1)` with at most `concurrency` at a time, taking no new
 * index once `shouldStop()` says so. Resolves with how many were started.
 */
export async function pool(
  count: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
  shouldStop: () => boolean = () => false,
): Promise<number> {
  let next = 0;
  const lane = async () => {
    while (next < count && !shouldStop()) await task(next++);
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return next;
}

/** GET `url` to the end of its body: its status and its body as text. */
export function getText(url: string | URL, options: RequestOptions): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, options, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    }).on("error", reject);
  });
}

/**
 * Sends the plan's requests with a closed loop of `concurrency` clients over
 * kept-alive connections, timing each to its last body byte. node:http rather
 * than fetch: the client shares the machine with workerd, and it costs less CPU.
 */
export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const latenciesMs: number[] = [];
  const failureSamples: string[] = [];
  let failures = 0;
  const fail = (what: string) => {
    failures++;
    if (failureSamples.length < FAILURE_SAMPLES) failureSamples.push(what);
  };

  const agent = new Agent({ keepAlive: true, maxSockets: plan.concurrency });
  const started = performance.now();
  const deadline = started + plan.maxMs;
  try {
    const sent = await pool(
      plan.count,
      plan.concurrency,
      async (i) => {
        const { url, expected } = plan.target(i);
        const t0 = performance.now();
        try {
          const signal = AbortSignal.any([plan.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]);
          const { status, body } = await getText(url, { agent, signal });
          const ms = performance.now() - t0;
          if (status === 200 && body === expected) latenciesMs.push(ms);
          else fail(`${url}: HTTP ${status} ${JSON.stringify(body.slice(0, 200))}`);
        } catch (error) {
          if (!plan.signal.aborted) fail(`${url}: ${(error as Error).message}`);
        }
        plan.onCompleted?.(latenciesMs.length + failures);
      },
      () => plan.signal.aborted || performance.now() >= deadline,
    );
    return {
      latenciesMs,
      failures,
      failureSamples,
      elapsedMs: performance.now() - started,
      cutShort: sent < plan.count,
    };
  } finally {
    agent.destroy();
  }
}

export type Summary = {
  requests: number;
  failures: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  cutShort: boolean;
};

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** Throughput counts every answered request; latencies only the correct ones. */
export function summarize(result: LoadResult): Summary {
  const sorted = result.latenciesMs.toSorted((a, b) => a - b);
  const requests = sorted.length + result.failures;
  return {
    requests,
    failures: result.failures,
    rps: requests / (result.elapsedMs / 1000),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.at(-1) ?? Number.NaN,
    cutShort: result.cutShort,
  };
}

/** A small seeded generator (mulberry32), so every run spreads its requests over the scripts the same way. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Consecutive runs as one: their latencies together, their times added. */
export function mergeResults(results: LoadResult[]): LoadResult {
  return {
    latenciesMs: results.flatMap((r) => r.latenciesMs),
    failures: results.reduce((n, r) => n + r.failures, 0),
    failureSamples: results.flatMap((r) => r.failureSamples).slice(0, FAILURE_SAMPLES),
    elapsedMs: results.reduce((n, r) => n + r.elapsedMs, 0),
    cutShort: results.some((r) => r.cutShort),
  };
}
