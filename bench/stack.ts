import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { waitForHealth } from "../scripts/lib/health.ts";
import { EMULATOR } from "../scripts/lib/platform.ts";
import { freePorts, LOOPBACK } from "../scripts/lib/ports.ts";
import { isRunning, listProcesses, type ProcessGroup, spawnGroup } from "../scripts/lib/process-group.ts";
import { offlineWranglerEnv, REPO_ROOT, WRANGLER_BIN } from "../scripts/lib/wrangler-dev.ts";

/** The bench-only front Worker: /ns/<script> through the namespace, /direct through the loader, the rest to the emulator. */
export const FRONT_CONFIG = path.join(REPO_ROOT, "bench/namespace-worker/wrangler.toml");

/**
 * Not copied into the snapshot the Workers are built from: dependencies (linked
 * instead), git, and build output and local state, at any depth.
 */
const NOT_COPIED = new Set(["node_modules", ".git", ".wrangler", ".wfp", "dist", "coverage"]);

/** wrangler's lines around a restart of the runtime. */
const RESTARTING = /Reloading local server/;
const RESTARTED = /Local server updated and ready/;
const SETTLE_MS = 5_000;
const POLL_MS = 250;

/** Lines of wrangler output kept to explain a failure. */
const KEPT_LINES = 200;

export type BenchStack = {
  /** http://127.0.0.1:<port> of the front Worker (the emulator's API is reachable through it too). */
  readonly url: string;
  readonly group: ProcessGroup;
  /** The workerd process that runs the Workers (the emulator, its loaded tenant scripts, the front). */
  readonly runtimePid: number;
  /** Which version of the Workers' sources was copied and runs: the commit, and whether it had uncommitted changes. */
  readonly sources: string;
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
function runtimeCandidates(pgid: number): number[] {
  return listProcesses()
    .filter((p) => {
      if (p.pgid !== pgid || !isRunning(p)) return false;
      const [exe, ...args] = cmdline(p.pid);
      return path.basename(exe ?? "") === "workerd" && args.some((a) => a.startsWith("--inspector-addr"));
    })
    .map((p) => p.pid);
}

/**
 * The runtime workerd once start-up has settled. wrangler restarts the runtime
 * at least once as it starts several Workers, sometimes after the first one
 * already answers; settled is one runtime, the same process for SETTLE_MS,
 * with no restart announced and not yet finished.
 */
async function settledRuntime(pgid: number, restarting: () => boolean, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let seen: { pid: number; since: number } | undefined;
  for (;;) {
    const candidates = restarting() ? [] : runtimeCandidates(pgid);
    const pid = candidates.length === 1 ? (candidates[0] as number) : undefined;
    if (pid === undefined) seen = undefined;
    else if (seen?.pid !== pid) seen = { pid, since: Date.now() };
    else if (Date.now() - seen.since >= SETTLE_MS) return pid;
    if (Date.now() >= deadline) throw new Error(`workerd did not settle within ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
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

// --no-optional-locks: reading git must not rewrite its index (the working tree is shared).
const git = (args: string[], options: { input?: Buffer } = {}): Buffer =>
  execFileSync("git", ["--no-optional-locks", ...args], { cwd: REPO_ROOT, maxBuffer: 256 * 2 ** 20, ...options });

/**
 * Copies the Workers' sources into `root`, node_modules linked rather than
 * copied, and says which version they are. wrangler dev rebuilds and restarts
 * workerd whenever a source file changes; run from a copy, a file edited in
 * the working tree mid-run cannot reset the runtime being measured. Without
 * `commit`, the working tree as it is (build output and local state left
 * out); with it, that commit's tree.
 */
export function snapshotSources(root: string, commit: string | undefined): string {
  mkdirSync(root, { recursive: true });
  let version: string;
  if (commit === undefined) {
    cpSync(REPO_ROOT, root, { recursive: true, filter: (source) => !NOT_COPIED.has(path.basename(source)) });
    const head = git(["rev-parse", "--short", "HEAD"]).toString().trim();
    const dirty = git(["status", "--porcelain"]).length > 0;
    version = dirty ? `commit ${head} with uncommitted changes` : `commit ${head}`;
  } else {
    const resolved = git(["rev-parse", "--short", "--verify", `${commit}^{commit}`])
      .toString()
      .trim();
    execFileSync("tar", ["-x", "-C", root], { input: git(["archive", "--format=tar", resolved]) });
    // The bench's own front Worker comes from the working tree: it must match the bench that drives it.
    const bench = path.join(REPO_ROOT, "bench");
    cpSync(bench, path.join(root, "bench"), {
      recursive: true,
      filter: (source) => !NOT_COPIED.has(path.basename(source)),
    });
    version = `commit ${resolved} (the bench's front Worker from the working tree)`;
  }
  symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(root, "node_modules"), "dir");
  return version;
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

/**
 * Starts the front Worker and the emulator in ONE `wrangler dev` process on a
 * free loopback port, so both paths the bench compares are in-process service
 * hops. The sources (a copy), state and dev registry live in a temporary
 * folder that `stop()` deletes.
 */
export async function startStack(startupTimeoutMs: number, signal: AbortSignal, commit?: string): Promise<BenchStack> {
  const dir = mkdtempSync(path.join(tmpdir(), "wfp-bench-"));
  const sources = path.join(dir, "sources");
  let sourcesVersion: string;
  try {
    sourcesVersion = snapshotSources(sources, commit);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(
      `could not copy the sources${commit === undefined ? "" : ` of ${commit}`}: ${(error as Error).message}`,
    );
  }
  const inSnapshot = (configPath: string) => path.join(sources, path.relative(REPO_ROOT, configPath));
  const [port, inspectorPort] = (await freePorts(2)) as [number, number];
  const lines: string[] = [];
  let restarts = 0;
  const group = spawnGroup(
    process.execPath,
    [
      WRANGLER_BIN,
      "dev",
      "--config",
      inSnapshot(FRONT_CONFIG),
      "--config",
      inSnapshot(EMULATOR.configPath),
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
      cwd: sources,
      env: offlineWranglerEnv({ WRANGLER_REGISTRY_PATH: path.join(dir, "registry") }),
      onLine: (line) => {
        if (RESTARTING.test(line)) restarts++;
        if (RESTARTED.test(line)) restarts = Math.max(0, restarts - 1);
        lines.push(line);
        if (lines.length > KEPT_LINES) lines.shift();
      },
    },
  );
  const stop = stopperOf(group, dir);
  const url = `http://${LOOPBACK}:${port}`;
  try {
    const health = new URL(EMULATOR.healthPath, url);
    const started = Date.now();
    const timeLeft = () => Math.max(0, startupTimeoutMs - (Date.now() - started));
    await abortable(waitForHealth(health, group.exited, timeLeft()), signal);
    const runtimePid = await abortable(
      settledRuntime(group.pid, () => restarts > 0, timeLeft()),
      signal,
    );
    await abortable(waitForHealth(health, group.exited, timeLeft()), signal);
    return {
      url,
      group,
      runtimePid,
      sources: sourcesVersion,
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
