/**
 * The supervisor of a tenant runner (emulator/src/runner). workerd does not enforce a Worker's CPU limit
 * locally, and runs every isolate of a process on one thread that nothing interrupts once JavaScript
 * runs; so a tenant whose code never yields would hold its runner, and every tenant on it, for good.
 * Production ends such a request at its CPU limit (error 1102). This ends the runner instead: it asks
 * the runner's health path (answered on that same thread) every few milliseconds, and when an answer
 * has not come for the bound, it kills the runner's workerd; wrangler's dev server starts it again at
 * once, and the emulator fails the requests that were in it with production's error
 * (emulator/src/dispatch/runner-client.ts).
 *
 * The bound is a multiple of the largest CPU limit among the requests the runner last said it was
 * running, and never less than RUNAWAY.minMs: a request that runs past its plan's CPU time several
 * times over, in wall-clock time, which is all a supervisor can see, and never a pause of the machine's.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { RUNAWAY_MIN_MS, RUNNER_HEALTH_PATH, RunnerHealth } from "../../emulator/src/runner/health.ts";

export const RUNAWAY = {
  /** How often the health path is asked while no answer is awaited. */
  everyMs: 100,
  /** Never less than this: a loaded 2-core machine can keep a healthy runner's answer for a good part of a second. */
  minMs: RUNAWAY_MIN_MS,
  /** Times the plan's CPU limit (enterprise: 500 ms, so 5 s). */
  factor: 10,
} as const;

/** When the runner is held: the decision, apart from the clock and the network, so it can be tested alone. */
export class RunawayWatch {
  #askedAt: number | undefined;
  #cpuMs: number | null = null;
  readonly bounds: { minMs: number; factor: number };

  constructor(bounds: { minMs: number; factor: number } = RUNAWAY) {
    this.bounds = bounds;
  }

  /** How long the runner may go without answering. */
  get boundMs(): number {
    return Math.max(this.bounds.minMs, this.bounds.factor * (this.#cpuMs ?? 0));
  }

  get awaiting(): boolean {
    return this.#askedAt !== undefined;
  }

  asked(at: number): void {
    this.#askedAt = at;
  }

  answered(health: RunnerHealth): void {
    this.#askedAt = undefined;
    this.#cpuMs = health.cpuMs;
  }

  /** No answer at all (the runner is starting again, say): nothing holds it. */
  unreachable(): void {
    this.#askedAt = undefined;
  }

  /** How long the awaited answer is overdue, when it is past the bound. */
  heldFor(now: number): number | undefined {
    if (this.#askedAt === undefined) return undefined;
    const held = now - this.#askedAt;
    return held > this.boundMs ? held : undefined;
  }

  /** The runner was ended: what it said it ran went with it. */
  ended(): void {
    this.#askedAt = undefined;
    this.#cpuMs = null;
  }
}

const run = promisify(execFile);

/** The workerd miniflare runs the runner in: this process's child (scripts/runner-dev.ts starts one runner). */
async function runnerWorkerdPid(): Promise<number | undefined> {
  const { stdout } = await run("ps", ["-A", "-o", "pid=,ppid=,args="]);
  for (const line of stdout.split("\n")) {
    const match = /^\s*(\d+)\s+(\d+)\s+(\S+)/.exec(line);
    if (match !== null && Number(match[2]) === process.pid && /(^|\/)workerd$/.test(match[3] as string)) {
      return Number(match[1]);
    }
  }
  return undefined;
}

/** Watches the runner at `url` until this process ends. */
export function watchRunner(url: URL, log: (line: string) => void): void {
  const watch = new RunawayWatch();
  const health = new URL(RUNNER_HEALTH_PATH, url);
  /** Bumped when the runner is ended, so an answer from before is not taken for one from after. */
  let generation = 0;
  let ending = false;

  const ask = () => {
    const asked = generation;
    watch.asked(Date.now());
    fetch(health)
      .then(async (response) => RunnerHealth.parse(await response.json()))
      .then(
        (answer) => asked === generation && watch.answered(answer),
        () => asked === generation && watch.unreachable(),
      );
  };

  const end = async (heldMs: number) => {
    ending = true;
    const bound = watch.boundMs;
    try {
      const pid = await runnerWorkerdPid();
      if (pid === undefined) throw new Error("its workerd process was not found");
      process.kill(pid, "SIGKILL");
      generation += 1;
      watch.ended();
      log(`a request held this runner for ${heldMs} ms (bound ${bound} ms): ended it; it starts again`);
    } catch (error) {
      watch.ended(); // asked again after another bound, rather than tried again at once
      log(`a request holds this runner, but it could not be ended: ${(error as Error).message}`);
    } finally {
      ending = false;
    }
  };

  setInterval(() => {
    if (ending) return;
    const held = watch.heldFor(Date.now());
    if (held !== undefined) void end(held);
    else if (!watch.awaiting) ask();
  }, RUNAWAY.everyMs);
}
