import { existsSync, mkdtempSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { RUNNER_HEALTH_PATH } from "../../emulator/src/runner/health.ts";
import { waitForHealth } from "../../scripts/lib/health.ts";
import { EMULATOR } from "../../scripts/lib/platform.ts";
import { freePorts, LOOPBACK } from "../../scripts/lib/ports.ts";
import { type ProcessGroup, spawnGroup } from "../../scripts/lib/process-group.ts";
import {
  offlineWranglerEnv,
  REPO_ROOT,
  startWranglerDev,
  WRANGLER_BIN,
  type WranglerDev,
} from "../../scripts/lib/wrangler-dev.ts";
import { log } from "../shared/bench-run.ts";
import { abortable, onInterrupt, stopperOf, withProcesses } from "../shared/lifecycle.ts";
import { dispatcherScope } from "../shared/options.ts";
import { groupWorkerds, runtimeCandidates } from "../shared/runtime.ts";
import { snapshotSources } from "../shared/snapshot.ts";

/** The bench-only front Worker: /ns/<script> through the namespace, /direct through the loader, the rest to the emulator. */
export const FRONT_CONFIG = path.join(REPO_ROOT, "bench/namespace/worker/wrangler.toml");

/** How long wrangler may take to start the emulator and the front Worker. */
const STARTUP_TIMEOUT_MS = 120_000;

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
  /** With tenant runners: each runner's process group, and the workerd that runs tenants' scripts in it. */
  readonly runnerGroups: readonly ProcessGroup[];
  readonly runnerPids: readonly number[];
  /** Which version of the Workers' sources was copied and runs: the commit, and whether it had uncommitted changes. */
  readonly sources: string;
  /** The version of that workerd, from the package its binary comes from. */
  readonly workerdVersion: string;
  /** The last lines wrangler wrote. */
  output(): string;
  /** Stops every process the stack started and deletes its state. */
  stop(): Promise<void>;
};

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

/**
 * How long a loaded worker stays loaded past the bound once idle, set here rather than read from
 * wrangler.toml, since the measured runs wait this long after the uniform run (phases.ts).
 */
export const LOADED_WORKER_MIN_IDLE_MS = 5000;

/**
 * The copy's emulator's vars: the startup limit as the tests have it (emulator/README.md, "Script
 * uploads"), long enough that no upload is refused because the machine is busy, since the limit is
 * wall-clock time here (the bench measures how fast uploads go, not the limit); and the idle time above.
 */
const EMULATOR_VARS = `STARTUP_LIMIT_MS=30000\nLOADED_WORKER_MIN_IDLE_MS=${LOADED_WORKER_MIN_IDLE_MS}\n`;

/** Writes the copy's emulator's `.dev.vars` (which `wrangler dev` reads for each config it is given): its vars, and `more`. */
function writeEmulatorVars(sources: string, more = ""): void {
  writeFileSync(path.join(sources, "emulator/.dev.vars"), `${EMULATOR_VARS}${more}`);
}

/** The workerd miniflare runs a runner's Worker in: the one workerd of its launcher's process group. */
function runnerWorkerd(pgid: number): number | undefined {
  const found = groupWorkerds(pgid);
  return found.length === 1 ? found[0]?.pid : undefined;
}

/**
 * Starts `count` tenant runners as `npm run dev` does (the copy's scripts/runner-dev.ts), in the
 * stack's dev registry, and tells the copy's emulator where they are: its `.dev.vars`, which
 * `wrangler dev` reads for each config it is given (checked below: the emulator lists RUNNER_URLS).
 */
async function startRunners(count: number, sources: string, dir: string, timeoutMs: number) {
  const inSnapshot = (file: string) => path.join(sources, file);
  if (count === 0) return [];
  if (!existsSync(inSnapshot("scripts/runner-dev.ts"))) throw new Error("--runners needs sources with tenant runners");
  const ports = await freePorts(2 * count);
  const runners = Array.from({ length: count }, (_, i) => {
    const port = ports[2 * i] as number;
    return {
      port,
      dev: startWranglerDev({
        configPath: inSnapshot("emulator/runner.wrangler.toml"),
        launcher: inSnapshot("scripts/runner-dev.ts"),
        port,
        inspectorPort: ports[2 * i + 1] as number,
        persistTo: path.join(dir, "state", `runner-${i + 1}`),
        healthPath: RUNNER_HEALTH_PATH,
        startupTimeoutMs: timeoutMs,
        env: { WRANGLER_REGISTRY_PATH: path.join(dir, "registry") },
        onLine: () => undefined,
      }),
    };
  });
  writeEmulatorVars(sources, `RUNNER_URLS=${runners.map((r) => `http://${LOOPBACK}:${r.port}`).join(",")}\n`);
  return runners.map((r) => r.dev);
}

/**
 * Starts the front Worker and the emulator in ONE `wrangler dev` process on a
 * free loopback port, so both paths the bench compares are in-process service
 * hops, and, with `runners`, that many tenant runners the emulator sends
 * tenants' code to. The sources (a copy), state and dev registry live in a
 * temporary folder that `stop()` deletes. `frontConfig` is the front Worker's
 * wrangler.toml in the working tree (this bench's by default; bench/objects
 * has its own); its copy in the snapshot is the one started.
 */
export async function startStack(
  startupTimeoutMs: number,
  signal: AbortSignal,
  commit?: string,
  runnerCount = 0,
  frontConfig = FRONT_CONFIG,
): Promise<BenchStack> {
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
  writeEmulatorVars(sources);
  let runners: WranglerDev[];
  try {
    runners = await startRunners(runnerCount, sources, dir, startupTimeoutMs);
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  const [port, inspectorPort] = (await freePorts(2)) as [number, number];
  const lines: string[] = [];
  let restarts = 0;
  const group = spawnGroup(
    process.execPath,
    [
      WRANGLER_BIN,
      "dev",
      "--config",
      inSnapshot(frontConfig),
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
  const stopStack = stopperOf(group, dir);
  const stop = async () => {
    await Promise.allSettled(runners.map((r) => r.group.stop()));
    await stopStack();
  };
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
    await abortable(Promise.all(runners.map((r) => r.ready)), signal);
    if (runnerCount > 0 && !lines.some((line) => line.includes("RUNNER_URLS"))) {
      throw new Error("the emulator did not read RUNNER_URLS from its .dev.vars");
    }
    const runnerPids = runners.map((r) => runnerWorkerd(r.group.pid));
    if (runnerPids.some((pid) => pid === undefined)) throw new Error("a runner's workerd process was not found");
    return {
      url,
      group,
      runtimePid,
      runnerGroups: runners.map((r) => r.group),
      runnerPids: runnerPids as number[],
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

/**
 * What the benches that run a front Worker beside the emulator do around their
 * phases: start the stack (with `runners` tenant runners), stop it on Ctrl-C,
 * run `measure` with the front's dispatch scope, and stop every process after.
 */
export async function measureOnStack<R>(
  frontConfig: string,
  options: { commit: string | undefined; runners: number },
  measure: (stack: BenchStack, scope: { accountId: string; namespace: string }, signal: AbortSignal) => Promise<R>,
): Promise<R> {
  if (process.platform !== "linux") {
    throw new Error("the bench reads workerd's memory from /proc, so it runs on Linux only");
  }
  const scope = dispatcherScope(frontConfig);
  const abort = new AbortController();
  let stack: BenchStack | undefined;
  onInterrupt(abort, () => {
    stack?.group.kill();
    for (const group of stack?.runnerGroups ?? []) void group.kill();
  });
  const runners = options.runners > 0 ? `, and ${options.runners} tenant runners` : "";
  log(`starting the emulator and the bench front Worker (wrangler dev)${runners}`);
  stack = await startStack(STARTUP_TIMEOUT_MS, abort.signal, options.commit, options.runners, frontConfig);
  const started = stack;
  return withProcesses(started, abort.signal, log, () => measure(started, scope, abort.signal));
}
