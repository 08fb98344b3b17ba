import { mkdtempSync, readFileSync, readlinkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { waitForHealth } from "../scripts/lib/health.ts";
import { EMULATOR } from "../scripts/lib/platform.ts";
import { freePorts, LOOPBACK } from "../scripts/lib/ports.ts";
import { isRunning, listProcesses, type ProcessGroup, spawnGroup } from "../scripts/lib/process-group.ts";
import { offlineWranglerEnv, REPO_ROOT, WRANGLER_BIN } from "../scripts/lib/wrangler-dev.ts";

/** The bench-only front Worker: /ns/<script> through the namespace, /direct through the loader, the rest to the emulator. */
export const FRONT_CONFIG = path.join(REPO_ROOT, "bench/namespace-worker/wrangler.toml");

/** Lines of wrangler output kept to explain a failure. */
const KEPT_LINES = 200;

export type BenchStack = {
  /** http://127.0.0.1:<port> of the front Worker (the emulator's API is reachable through it too). */
  readonly url: string;
  readonly group: ProcessGroup;
  /** The workerd process that runs the Workers (the emulator, its loaded tenant scripts, the front). */
  readonly runtimePid: number;
  /** The version of that workerd, from the package its binary comes from. */
  readonly workerdVersion: string;
  /** The last lines wrangler wrote. */
  output(): string;
  /** Stops every process the stack started and deletes its state. */
  stop(): Promise<void>;
};

function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return [];
  }
}

/**
 * wrangler starts two workerd processes: a proxy that owns the public port and
 * the runtime that runs the Workers. Only the runtime gets the inspector.
 */
function findRuntimeWorkerd(pgid: number): number {
  const candidates = listProcesses().filter((p) => {
    if (p.pgid !== pgid || !isRunning(p)) return false;
    const [exe, ...args] = cmdline(p.pid);
    return path.basename(exe ?? "") === "workerd" && args.some((a) => a.startsWith("--inspector-addr"));
  });
  if (candidates.length !== 1) {
    throw new Error(`expected one workerd runtime process in group ${pgid}, found ${candidates.length}`);
  }
  return (candidates[0] as { pid: number }).pid;
}

/** The binary is bin/workerd inside its npm package; the package says which version it is. */
function workerdVersionOf(pid: number): string {
  const binary = readlinkSync(`/proc/${pid}/exe`);
  const manifest = JSON.parse(readFileSync(path.join(path.dirname(binary), "..", "package.json"), "utf8")) as {
    name: string;
    version: string;
  };
  return `${manifest.name}@${manifest.version}`;
}

/** `work`, or the abort's reason if the signal fires first. */
function abortable<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/**
 * Starts the front Worker and the emulator in ONE `wrangler dev` process on a
 * free loopback port, so both paths the bench compares are in-process service
 * hops. State and dev registry live in a temporary folder that `stop()` deletes.
 */
export async function startStack(startupTimeoutMs: number, signal: AbortSignal): Promise<BenchStack> {
  const dir = mkdtempSync(path.join(tmpdir(), "wfp-bench-"));
  const [port, inspectorPort] = (await freePorts(2)) as [number, number];
  const lines: string[] = [];
  const group = spawnGroup(
    process.execPath,
    [
      WRANGLER_BIN,
      "dev",
      "--config",
      FRONT_CONFIG,
      "--config",
      EMULATOR.configPath,
      "--ip",
      LOOPBACK,
      "--port",
      String(port),
      "--inspector-port",
      String(inspectorPort),
      "--persist-to",
      path.join(dir, "state"),
      "--local",
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: REPO_ROOT,
      env: offlineWranglerEnv({ WRANGLER_REGISTRY_PATH: path.join(dir, "registry") }),
      onLine: (line) => {
        lines.push(line);
        if (lines.length > KEPT_LINES) lines.shift();
      },
    },
  );
  const removeState = () => rmSync(dir, { recursive: true, force: true });
  // Last resort, should the bench die without stopping the stack (an uncaught error): nothing outlives it.
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
  const stop = () => {
    stopping ??= group.stop().finally(() => {
      process.off("exit", killOnExit);
      removeState();
    });
    return stopping;
  };
  const url = `http://${LOOPBACK}:${port}`;
  try {
    await abortable(waitForHealth(new URL(EMULATOR.healthPath, url), group.exited, startupTimeoutMs), signal);
    const runtimePid = findRuntimeWorkerd(group.pid);
    return {
      url,
      group,
      runtimePid,
      workerdVersion: workerdVersionOf(runtimePid),
      output: () => lines.join("\n"),
      stop,
    };
  } catch (error) {
    await stop();
    if (signal.aborted) throw error;
    throw new Error(`the bench stack did not start: ${(error as Error).message}\n${lines.join("\n")}`);
  }
}
