import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { PLATFORM_WORKERS, platformApiToken } from "../../scripts/lib/platform.ts";
import { freePorts } from "../../scripts/lib/ports.ts";
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

/** A free port for each of the platform's Workers, by label. */
export async function freePlatformPorts(): Promise<Record<string, number>> {
  const free = await freePorts(PLATFORM_WORKERS.length);
  return Object.fromEntries(PLATFORM_WORKERS.map((worker, i) => [worker.label, free[i] as number]));
}

/**
 * The environment of a platform of its own: on `ports` (by label), with its
 * state and dev registry under `workDir`, so a developer's `npm run dev`, and
 * its state, are left alone.
 */
export function isolatedDevEnv(
  workDir: string,
  ports: Record<string, number>,
  overrides: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...Object.fromEntries(PLATFORM_WORKERS.map((worker) => [worker.portEnvVar, String(ports[worker.label])])),
    WFP_STATE_DIR: path.join(workDir, "state"),
    WRANGLER_REGISTRY_PATH: path.join(workDir, "registry"),
    ...overrides,
  };
}

export type DevPlatformOptions = {
  args?: string[];
  via?: "npm" | "node";
  /** A command that runs the rest of the command line, e.g. with its own hosts file (support/hosts-override.ts). */
  wrap?: readonly string[];
};

/**
 * Runs, in a process group of its own as a terminal would, `npm run dev -- <args>`
 * or what that script runs (`node scripts/dev.ts <args>`), whose exit code npm
 * would otherwise hide: on Ctrl-C npm ends itself with the same signal.
 */
export function spawnDevPlatform(
  env: NodeJS.ProcessEnv,
  options: DevPlatformOptions = {},
): { group: ProcessGroup; output: string[] } {
  const args = options.args ?? [];
  const output: string[] = [];
  const onLine = (line: string) => output.push(line);
  const command =
    options.via === "npm"
      ? ["npm", "run", "dev", ...(args.length > 0 ? ["--", ...args] : [])]
      : [process.execPath, path.join(REPO_ROOT, "scripts", "dev.ts"), ...args];
  const [program, ...rest] = [...(options.wrap ?? []), ...command] as [string, ...string[]];
  const group = spawnGroup(program, rest, { cwd: REPO_ROOT, env, onLine });
  return { group, output };
}

/** Starts the platform as spawnDevPlatform does and waits until it says it is ready. */
export async function startDevPlatform(
  env: NodeJS.ProcessEnv,
  startupTimeoutMs: number,
  options: DevPlatformOptions = {},
): Promise<DevPlatform> {
  const { group, output } = spawnDevPlatform(env, options);
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

/** A test file's own platform, once `devPlatformForFile`'s hook has started it. */
export type FilePlatform = {
  readonly workDir: string;
  /** Each Worker's port, by label. */
  readonly ports: Record<string, number>;
  readonly platform: DevPlatform;
  /** http://127.0.0.1:<port of the Worker `label`><pathname> */
  url(label: string, pathname: string): string;
  /** What `wfp` is run with to call this platform's control plane: WFP_API_URL and WFP_API_TOKEN. */
  wfpEnv(): NodeJS.ProcessEnv;
};

/** What `devPlatformForFile`'s hook knows once the platform has started. */
type Started = Pick<FilePlatform, "workDir" | "ports" | "platform">;

/**
 * An `npm run dev` of the test file's own, on free ports with its state and dev registry in a
 * temporary folder: started before the file's tests (hooks registered after this call run after it)
 * and stopped, its folder deleted, after them. `wrap`, given that folder, wraps its command line.
 */
export function devPlatformForFile(
  prefix: string,
  options: { startupTimeoutMs?: number; wrap?: (workDir: string) => Promise<readonly string[] | undefined> } = {},
): FilePlatform {
  const startupTimeoutMs = options.startupTimeoutMs ?? 150_000;
  let started: Started | undefined;
  let workDir: string | undefined;
  beforeAll(async () => {
    workDir = await mkdtemp(path.join(tmpdir(), `wfp-${prefix}-`));
    const ports = await freePlatformPorts();
    const wrap = await options.wrap?.(workDir);
    const platform = await startDevPlatform(isolatedDevEnv(workDir, ports), startupTimeoutMs, wrap ? { wrap } : {});
    started = { workDir, ports, platform };
  }, startupTimeoutMs + 30_000);
  afterAll(async () => {
    await started?.platform.stop();
    if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
  });
  const get = (): Started => {
    if (started === undefined) throw new Error("the platform is not started: use it in a test or a later hook");
    return started;
  };
  const url = (label: string, pathname: string) => `http://127.0.0.1:${get().ports[label]}${pathname}`;
  return {
    get workDir() {
      return get().workDir;
    },
    get ports() {
      return get().ports;
    },
    get platform() {
      return get().platform;
    },
    url,
    wfpEnv: () => ({ WFP_API_URL: url("control-plane", ""), WFP_API_TOKEN: platformApiToken() }),
  };
}
