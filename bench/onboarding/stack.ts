import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { applyControlPlaneMigrations, ensureDispatchNamespace } from "../../scripts/lib/first-start.ts";
import {
  CONTROL_PLANE,
  EMULATOR,
  emulatorApiToken,
  PLATFORM_WORKERS,
  type PlatformWorker,
} from "../../scripts/lib/platform.ts";
import { freePorts } from "../../scripts/lib/ports.ts";
import type { ProcessGroup } from "../../scripts/lib/process-group.ts";
import { REPO_ROOT, startWranglerDev, type WranglerDev } from "../../scripts/lib/wrangler-dev.ts";
import { abortable, stopperOf } from "../shared/lifecycle.ts";
import { workerdVersion } from "../shared/machine.ts";
import { snapshotSources } from "../shared/snapshot.ts";

/** Lines of wrangler output kept per Worker to explain a failure. */
const KEPT_LINES = 100;

export type PlatformStackOptions = {
  startupTimeoutMs: number;
  /** `--var NAME:VALUE` overrides for each Worker's config. */
  vars?: Partial<Record<PlatformWorker["label"], Record<string, string>>>;
  /** Runs the Workers from this commit's sources rather than from the working tree (see snapshotSources). */
  commit?: string;
  /** Writes into the Workers' local state (the registry migrated) before any of them starts. */
  prepareState?: (stateDir: (label: PlatformWorker["label"]) => string) => Promise<void>;
  signal: AbortSignal;
};

export type PlatformStack = {
  /** http://127.0.0.1:<port> of each Worker. */
  readonly urls: Readonly<Record<PlatformWorker["label"], string>>;
  /** One process group per `wrangler dev`. */
  readonly groups: readonly ProcessGroup[];
  /** The process group of one Worker's `wrangler dev`. */
  group(label: PlatformWorker["label"]): ProcessGroup;
  /** Which version of the Workers' sources runs (a copy, see snapshotSources). */
  readonly sources: string;
  readonly workerdVersion: string;
  /** The folder a Worker's local state (D1, KV, R2, Durable Objects) persists to. */
  stateDir(label: PlatformWorker["label"]): string;
  /** The last lines each Worker's wrangler wrote. */
  output(): string;
  /** Stops every process the stack started and deletes its state. */
  stop(): Promise<void>;
};

const varArgs = (vars: Record<string, string> = {}) =>
  Object.entries(vars).flatMap(([name, value]) => ["--var", `${name}:${value}`]);

/**
 * The whole platform as `npm run dev` runs it (the emulator, outbound, the
 * control plane with its registry migrated, the dispatcher, the dispatch
 * namespace created), each Worker in its own `wrangler dev` on a free port.
 * The Workers run from a copy of the sources, so an edit in the working tree
 * cannot restart one mid-run; the copy, the state and the dev registry live
 * in a temporary folder that `stop()` deletes.
 */
export async function startPlatformStack(options: PlatformStackOptions): Promise<PlatformStack> {
  const dir = mkdtempSync(path.join(tmpdir(), "wfp-bench-platform-"));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once("exit", removeDir);
  let sources: string;
  try {
    sources = snapshotSources(path.join(dir, "sources"), options.commit);
  } catch (error) {
    removeDir();
    throw new Error(`could not copy the sources: ${(error as Error).message}`);
  }
  const inSnapshot = (configPath: string) => path.join(dir, "sources", path.relative(REPO_ROOT, configPath));
  const stateDir = (label: PlatformWorker["label"]) => path.join(dir, "state", label);
  const persistTo = (worker: PlatformWorker) => stateDir(worker.label);
  for (const worker of PLATFORM_WORKERS) mkdirSync(persistTo(worker), { recursive: true });
  await applyControlPlaneMigrations(persistTo(CONTROL_PLANE));
  try {
    await options.prepareState?.(stateDir);
  } catch (error) {
    removeDir();
    throw error;
  }

  const ports = await freePorts(PLATFORM_WORKERS.length * 2);
  const outputs = new Map<string, string[]>();
  const running = PLATFORM_WORKERS.map((worker, i): { worker: PlatformWorker; dev: WranglerDev } => {
    const lines: string[] = [];
    outputs.set(worker.label, lines);
    return {
      worker,
      dev: startWranglerDev({
        configPath: inSnapshot(worker.configPath),
        port: ports[2 * i] as number,
        inspectorPort: ports[2 * i + 1] as number,
        persistTo: persistTo(worker),
        healthPath: worker.healthPath,
        startupTimeoutMs: options.startupTimeoutMs,
        env: { WRANGLER_REGISTRY_PATH: path.join(dir, "registry") },
        extraArgs: varArgs(options.vars?.[worker.label]),
        onLine: (line) => {
          lines.push(line);
          if (lines.length > KEPT_LINES) lines.shift();
        },
      }),
    };
  });
  const stoppers = running.map(({ worker, dev }) => stopperOf(dev.group, persistTo(worker)));
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= Promise.allSettled(stoppers.map((s) => s())).then((results) => {
      process.off("exit", removeDir);
      removeDir();
      const failed = results.find((r) => r.status === "rejected");
      if (failed !== undefined) throw failed.reason;
    });
    return stopping;
  };
  const output = () =>
    [...outputs].flatMap(([label, lines]) => lines.map((line) => `${label.padEnd(13)} | ${line}`)).join("\n");
  const urls = Object.fromEntries(running.map(({ worker, dev }) => [worker.label, dev.url])) as Record<
    PlatformWorker["label"],
    string
  >;
  try {
    await abortable(
      Promise.all(
        running.map(({ worker, dev }) =>
          dev.ready.catch((error: Error) => {
            throw new Error(`${worker.label} did not start: ${error.message}`);
          }),
        ),
      ),
      options.signal,
    );
    await ensureDispatchNamespace(urls[EMULATOR.label], emulatorApiToken());
  } catch (error) {
    await stop();
    if (options.signal.aborted) throw error;
    throw new Error(`the platform did not start: ${(error as Error).message}\n${output()}`);
  }
  return {
    urls,
    groups: running.map(({ dev }) => dev.group),
    group: (label) => {
      const found = running.find(({ worker }) => worker.label === label);
      if (found === undefined) throw new Error(`no ${label} in the platform stack`);
      return found.dev.group;
    },
    sources,
    workerdVersion: workerdVersion(),
    stateDir,
    output,
    stop,
  };
}
