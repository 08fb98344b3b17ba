import path from "node:path";
import { type ProcessGroup, spawnGroup } from "../../scripts/lib/process-group.ts";
import { REPO_ROOT } from "../../scripts/lib/wrangler-dev.ts";

/** What `npm run dev` prints once every Worker answers and the demo tenant is onboarded. */
const READY_LINE = "Press Ctrl-C to stop.";
/** The launcher stops one wrangler process per Worker, each with up to 10 s grace. */
const SHUTDOWN_TIMEOUT_MS = 30_000;

export type DevPlatform = {
  readonly group: ProcessGroup;
  /** Every line it printed so far. */
  readonly output: string[];
  /** Ctrl-C, then its exit code once it has stopped everything it started. */
  stop(): Promise<number | null>;
};

/**
 * Runs what `npm run dev` runs (`node scripts/dev.ts`, so that its exit code
 * is not hidden by npm) in a process group of its own, as a terminal would,
 * and waits until it says the platform is ready.
 */
export async function startDevPlatform(env: NodeJS.ProcessEnv, startupTimeoutMs: number): Promise<DevPlatform> {
  const output: string[] = [];
  const group = spawnGroup(process.execPath, [path.join(REPO_ROOT, "scripts", "dev.ts")], {
    cwd: REPO_ROOT,
    env,
    onLine: (line) => output.push(line),
  });
  const stop = async () => {
    await group.stop(SHUTDOWN_TIMEOUT_MS);
    return group.exited;
  };
  let exitCode: number | null | undefined;
  void group.exited.then((code) => {
    exitCode = code;
  });
  const deadline = Date.now() + startupTimeoutMs;
  while (!output.some((line) => line.includes(READY_LINE))) {
    if (exitCode !== undefined || Date.now() > deadline) {
      await stop();
      const why = exitCode !== undefined ? `exited with ${exitCode}` : `not ready within ${startupTimeoutMs} ms`;
      throw new Error(`npm run dev ${why}:\n${output.join("\n")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { group, output, stop };
}
