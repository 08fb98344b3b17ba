import { rmSync } from "node:fs";
import type { ProcessGroup } from "../../scripts/lib/process-group.ts";

/**
 * What every bench does around its measurements: stop its `wrangler dev`
 * processes on Ctrl-C (a second one kills them), stop them when the work
 * ends or fails (showing wrangler's output on a failure that was not an
 * interruption), and turn `main`'s outcome into the exit code.
 */

/** A bench's started processes. */
export type BenchProcesses = {
  stop(): Promise<void>;
  output(): string;
};

/** Aborts `abort` on SIGINT/SIGTERM/SIGHUP; a second signal runs `kill` at once. */
export function onInterrupt(abort: AbortController, kill: () => Promise<unknown> | undefined): void {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      // A kill that fails surfaces in the stop() that follows the abort.
      if (abort.signal.aborted) void kill()?.catch(() => {});
      abort.abort(new Error(`interrupted (${signal})`));
    });
  }
}

/** Runs `work` with the processes up, and stops them whatever happens. */
export async function withProcesses<T>(
  processes: BenchProcesses,
  signal: AbortSignal,
  log: (line: string) => void,
  work: () => Promise<T>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!signal.aborted) log(`wrangler output:\n${processes.output()}`);
    throw error;
  } finally {
    log("stopping");
    await processes.stop();
  }
}

/**
 * Runs a bench's `main` with the options `parseOptions` reads from the command
 * line, or prints the usage when they are undefined (`--help`). `main`'s
 * return value is the exit code; an error is printed under the command's name
 * (with the usage for bad arguments).
 */
export function runMain<Options>(
  command: string,
  usage: string,
  parseOptions: () => Options | undefined,
  main: (options: Options) => Promise<number>,
): void {
  const run = async () => {
    const options = parseOptions();
    if (options !== undefined) return main(options);
    process.stdout.write(`${usage}\n`);
    return 0;
  };
  run().then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`${command}: ${error instanceof Error ? error.message : String(error)}\n`);
      const badArguments =
        error instanceof Error && String((error as NodeJS.ErrnoException).code).startsWith("ERR_PARSE_ARGS");
      if (badArguments) process.stderr.write(`${usage}\n`);
      process.exitCode = 1;
    },
  );
}

/**
 * How a bench stack stops: its process group, then its temporary folder; and,
 * should the bench die without stopping it (an uncaught error), the group is
 * killed on exit so nothing outlives the bench.
 */
export function stopperOf(group: ProcessGroup, dir: string): () => Promise<void> {
  const removeState = () => rmSync(dir, { recursive: true, force: true });
  const killOnExit = () => {
    try {
      process.kill(-group.pid, "SIGKILL");
    } catch {
      // Already gone.
    }
    removeState();
  };
  process.once("exit", killOnExit);
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= group.stop().finally(() => {
      process.off("exit", killOnExit);
      removeState();
    });
    return stopping;
  };
}

/** `work`, or the abort's reason if the signal fires first. */
export function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}
