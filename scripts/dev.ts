/**
 * `npm run dev`: the whole platform on this machine, offline, in one command.
 * Starts the emulator, the control plane and the dispatcher with `wrangler dev`
 * on 127.0.0.1, waits until each answers its health check, prints where
 * everything listens, and on Ctrl-C stops every process it started.
 *
 *   npm run dev               keep the state saved by earlier runs
 *   npm run dev -- --reset    start from empty state
 *
 * Environment: EMULATOR_PORT, CONTROL_PLANE_PORT, DISPATCHER_PORT (default: each
 * wrangler config's [dev] port); WFP_STATE_DIR (default: .wfp/state).
 */
import { existsSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  configuredDevPort,
  EMULATOR,
  emulatorApiToken,
  PLATFORM_WORKERS,
  type PlatformWorker,
} from "./lib/platform.ts";
import { freePorts, isPortFree } from "./lib/ports.ts";
import { REPO_ROOT, startWranglerDev, type WranglerDev } from "./lib/wrangler-dev.ts";

/** Three wrangler processes starting at once on a 2-core machine can take a while. */
const STARTUP_TIMEOUT_MS = 120_000;

const USAGE = `Usage: npm run dev [-- --reset]

  --reset    delete the local state (${path.join(".wfp", "state")}) before starting
  --help     show this help

Environment: EMULATOR_PORT, CONTROL_PLANE_PORT, DISPATCHER_PORT, WFP_STATE_DIR`;

class UsageError extends Error {}

type Planned = { worker: PlatformWorker; port: number };

function parsePort(name: string, raw: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65_535) {
    throw new UsageError(`${name} must be a TCP port number (1-65535), not "${raw}"`);
  }
  return port;
}

function plannedPorts(env: NodeJS.ProcessEnv): Planned[] {
  const planned = PLATFORM_WORKERS.map((worker) => {
    const raw = env[worker.portEnvVar];
    return {
      worker,
      port: raw === undefined || raw === "" ? configuredDevPort(worker) : parsePort(worker.portEnvVar, raw),
    };
  });
  const ports = planned.map((p) => p.port);
  if (new Set(ports).size !== ports.length)
    throw new UsageError(`each Worker needs its own port, got ${ports.join(", ")}`);
  return planned;
}

async function assertPortsFree(planned: Planned[]): Promise<void> {
  for (const { worker, port } of planned) {
    if (!(await isPortFree(port))) {
      throw new UsageError(
        `port ${port} (${worker.label}) is already in use, perhaps by another \`npm run dev\`; stop it or set ${worker.portEnvVar}`,
      );
    }
  }
}

/**
 * Each Worker keeps its state in a folder of its own under the state folder:
 * miniflare gives every process the same cache and trace databases inside a
 * persist folder, and three workerd processes opening them at once fail with
 * SQLITE_BUSY.
 */
const persistFolder = (stateDir: string, worker: PlatformWorker) => path.join(stateDir, worker.label);

/**
 * Deletes the state folder, but only one that holds nothing except the
 * Workers' own folders, so a mistyped WFP_STATE_DIR cannot wipe anything else.
 */
function resetState(stateDir: string): void {
  if (!existsSync(stateDir)) return;
  const ours = new Set<string>(PLATFORM_WORKERS.map((worker) => worker.label));
  const foreign = readdirSync(stateDir).filter((entry) => !ours.has(entry));
  if (foreign.length > 0) {
    throw new UsageError(
      `refusing to reset ${stateDir}: it holds ${foreign.join(", ")}, which npm run dev did not write`,
    );
  }
  rmSync(stateDir, { recursive: true, force: true });
}

function prefixer(label: string): (line: string) => void {
  const prefix = `${label.padEnd(13)} | `;
  return (line) => process.stdout.write(`${prefix}${line}\n`);
}

function printSummary(running: { worker: PlatformWorker; dev: WranglerDev }[], stateDir: string): void {
  const emulator = running.find((r) => r.worker === EMULATOR);
  const lines = ["", "The platform is running:"];
  for (const { worker, dev } of running)
    lines.push(`  ${worker.label.padEnd(15)}${dev.url}   (health: ${worker.healthPath})`);
  if (emulator !== undefined) {
    lines.push(`  ${"API base URL".padEnd(15)}${emulator.dev.url}/client/v4`);
    lines.push(`  ${"API token".padEnd(15)}${emulatorApiToken()}`);
  }
  lines.push(`  ${"state".padEnd(15)}${stateDir}`, "", "Press Ctrl-C to stop.", "");
  process.stdout.write(lines.join("\n"));
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { reset: { type: "boolean", default: false }, help: { type: "boolean", short: "h", default: false } },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }

  const stateDir = path.resolve(process.env.WFP_STATE_DIR || path.join(REPO_ROOT, ".wfp", "state"));
  const planned = plannedPorts(process.env);
  await assertPortsFree(planned);
  if (values.reset) {
    resetState(stateDir);
    process.stdout.write(`Local state reset (${stateDir}).\n`);
  }

  const inspectorPorts = await freePorts(planned.length);
  const running = planned.map(({ worker, port }, i) => ({
    worker,
    dev: startWranglerDev({
      configPath: worker.configPath,
      port,
      inspectorPort: inspectorPorts[i] as number,
      persistTo: persistFolder(stateDir, worker),
      healthPath: worker.healthPath,
      startupTimeoutMs: STARTUP_TIMEOUT_MS,
      onLine: prefixer(worker.label),
    }),
  }));

  let interrupts = 0;
  let requestStop: (reason: string) => void = () => {};
  const stopRequested = new Promise<string>((resolve) => {
    requestStop = resolve;
  });
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts > 1) {
      // A second Ctrl-C while stopping: do not wait for anyone.
      void Promise.allSettled(running.map(({ dev }) => dev.group.kill()));
      return;
    }
    requestStop(`${signal} received`);
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onSignal);

  // Any Worker that exits on its own (a crash, a port taken meanwhile) takes the platform down with it.
  for (const { worker, dev } of running) {
    void dev.group.exited.then((code) => requestStop(`${worker.label} exited unexpectedly (code ${code})`));
  }

  let failure: string | undefined;
  const started = Promise.all(
    running.map(({ worker, dev }) =>
      dev.ready.catch((error: Error) => {
        throw new Error(`${worker.label} did not start: ${error.message}`);
      }),
    ),
  );
  const outcome = await Promise.race([
    started.then(
      () => "ready" as const,
      (error: Error) => {
        failure = error.message;
        return "failed" as const;
      },
    ),
    stopRequested.then((reason) => {
      failure = interrupts > 0 ? undefined : reason;
      return "stopped" as const;
    }),
  ]);

  if (outcome === "ready") {
    printSummary(running, stateDir);
    const reason = await stopRequested;
    if (interrupts === 0) failure = reason;
  }

  process.stdout.write("\nStopping...\n");
  await Promise.all(running.map(({ dev }) => dev.group.stop()));
  if (failure !== undefined) {
    process.stderr.write(`npm run dev: ${failure}\n`);
    return 1;
  }
  process.stdout.write("Stopped.\n");
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`npm run dev: ${error instanceof Error ? error.message : String(error)}\n`);
    if (!(error instanceof UsageError)) process.stderr.write(`${USAGE}\n`);
    process.exitCode = 1;
  },
);
