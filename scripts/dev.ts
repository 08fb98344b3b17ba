/**
 * `npm run dev`: the whole platform on this machine, offline, in one command.
 * Starts the emulator, the outbound Worker, the control plane and the dispatcher with `wrangler dev`
 * on 127.0.0.1 (the outbound Worker through scripts/outbound-dev.ts, which is `wrangler dev` with a
 * fetch() that reaches public addresses only; the control plane's registry migrated first), and
 * TENANT_RUNNERS tenant runners that run tenants' code apart from the emulator (scripts/runner-dev.ts,
 * each on a free port the emulator is given in RUNNER_URLS), each
 * registered in one dev registry where they find each other, waits until each answers its health
 * check, creates the dispatch namespace and onboards the demo tenant from user-worker-template (on
 * the first start; later starts keep it), prints where everything listens, and on Ctrl-C stops every
 * process it started.
 *
 *   npm run dev               keep the state saved by earlier runs
 *   npm run dev -- --reset    start from empty state
 *
 * Environment: EMULATOR_PORT, OUTBOUND_PORT, TAIL_PORT, CONTROL_PLANE_PORT, DISPATCHER_PORT (default: each
 * wrangler config's [dev] port); TENANT_RUNNERS (default 2; 0: the emulator runs tenants' code);
 * WFP_STATE_DIR (default: .wfp/state, one folder in it per Worker); WRANGLER_REGISTRY_PATH (default:
 * .wfp/registry).
 */
import { existsSync, readdirSync, rmSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import {
  applyControlPlaneMigrations,
  DEMO_TENANT,
  ensureDemoTenant,
  ensureDispatchNamespace,
} from "./lib/first-start.ts";
import {
  CONTROL_PLANE,
  configuredDevPort,
  DEFAULT_TENANT_RUNNERS,
  DISPATCHER,
  EMULATOR,
  emulatorApiToken,
  PLATFORM_WORKERS,
  type PlatformWorker,
  platformApiToken,
  type TenantRunner,
  tenantRunner,
} from "./lib/platform.ts";
import { freePorts, isPortFree, LOOPBACK } from "./lib/ports.ts";
import { REPO_ROOT, startWranglerDev, type WranglerDev } from "./lib/wrangler-dev.ts";

/** Four wrangler processes starting at once on a 2-core machine can take a while. */
const STARTUP_TIMEOUT_MS = 120_000;

const USAGE = `Usage: npm run dev [-- --reset]

  --reset    delete the local state (${path.join(".wfp", "state")}) before starting
  --help     show this help

Environment: EMULATOR_PORT, OUTBOUND_PORT, TAIL_PORT, CONTROL_PLANE_PORT, DISPATCHER_PORT, TENANT_RUNNERS,
WFP_STATE_DIR, WRANGLER_REGISTRY_PATH`;

/** The most tenant runners `npm run dev` starts: each is a Node and a workerd process. */
const MAX_TENANT_RUNNERS = 8;

type Planned = { worker: PlatformWorker; port: number };

function parsePort(name: string, raw: string): number {
  const port = Number(raw);
  if (!/^\d+$/.test(raw) || port < 1 || port > 65_535) {
    throw new Error(`${name} must be a TCP port number (1-65535), not "${raw}"`);
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
  if (new Set(ports).size !== ports.length) throw new Error(`each Worker needs its own port, got ${ports.join(", ")}`);
  return planned;
}

/** TENANT_RUNNERS: how many runner processes run tenants' code (0: the emulator runs it itself). */
function tenantRunnerCount(env: NodeJS.ProcessEnv): number {
  const raw = env.TENANT_RUNNERS;
  if (raw === undefined || raw === "") return DEFAULT_TENANT_RUNNERS;
  const count = Number(raw);
  if (!/^\d+$/.test(raw) || count > MAX_TENANT_RUNNERS) {
    throw new Error(`TENANT_RUNNERS must be a whole number from 0 to ${MAX_TENANT_RUNNERS}, not "${raw}"`);
  }
  return count;
}

async function assertPortsFree(planned: Planned[]): Promise<void> {
  for (const { worker, port } of planned) {
    if (!(await isPortFree(port))) {
      throw new Error(
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
const persistFolder = (stateDir: string, worker: PlatformWorker | TenantRunner) => path.join(stateDir, worker.label);
const isRunnerFolder = (entry: string) => /^runner-\d+$/.test(entry);

/**
 * Deletes the state folder, but only one that holds nothing except the
 * Workers' own folders, so a mistyped WFP_STATE_DIR cannot wipe anything else.
 */
function resetState(stateDir: string): void {
  if (!existsSync(stateDir)) return;
  const ours = new Set<string>(PLATFORM_WORKERS.map((worker) => worker.label));
  const foreign = readdirSync(stateDir).filter((entry) => !ours.has(entry) && !isRunnerFolder(entry));
  if (foreign.length > 0) {
    throw new Error(`refusing to reset ${stateDir}: it holds ${foreign.join(", ")}, which npm run dev did not write`);
  }
  rmSync(stateDir, { recursive: true, force: true });
}

function prefixer(label: string): (line: string) => void {
  const prefix = `${label.padEnd(13)} | `;
  return (line) => process.stdout.write(`${prefix}${line}\n`);
}

type Running = { worker: PlatformWorker | TenantRunner; dev: WranglerDev };

type Tokens = { emulator: string; platform: string };

const urlOf = (running: Running[], worker: PlatformWorker): string => {
  const found = running.find((r) => r.worker === worker);
  if (found === undefined) throw new Error(`${worker.label} is not running`);
  return found.dev.url;
};

/** What the platform needs before anyone uses it: the dispatch namespace, and the demo tenant. */
async function prepare(running: Running[], tokens: Tokens): Promise<void> {
  await ensureDispatchNamespace(urlOf(running, EMULATOR), tokens.emulator);
  process.stdout.write(`Onboarding the demo tenant from user-worker-template (first start only)...\n`);
  const created = await ensureDemoTenant(urlOf(running, CONTROL_PLANE), tokens.platform);
  process.stdout.write(created ? "The demo tenant is active.\n" : "The demo tenant is there from an earlier run.\n");
}

function printSummary(running: Running[], stateDir: string, tokens: Tokens): void {
  const lines = ["", "The platform is running:"];
  for (const { worker, dev } of running) {
    lines.push(`  ${worker.label.padEnd(15)}${dev.url}   (health: ${worker.healthPath})`);
  }
  const emulator = running.find((r) => r.worker === EMULATOR);
  if (emulator !== undefined) {
    lines.push(
      `  ${"API base URL".padEnd(15)}${emulator.dev.url}/client/v4`,
      `  ${"API token".padEnd(15)}${tokens.emulator}`,
    );
  }
  const dispatcherPort = new URL(urlOf(running, DISPATCHER)).port;
  lines.push(
    `  ${"operators' API".padEnd(15)}${urlOf(running, CONTROL_PLANE)}/v1 (token ${tokens.platform}; docs at /docs)`,
    `  ${"state".padEnd(15)}${stateDir}`,
    "",
    "Try the demo tenant:",
    `  curl http://${DEMO_TENANT.id}.localhost:${dispatcherPort}/`,
  );
  lines.push("", "Press Ctrl-C to stop.", "");
  process.stdout.write(lines.join("\n"));
}

/**
 * Waits until the platform must stop, calling `onReady` once every Worker
 * answers. Resolves with nothing for Ctrl-C (or SIGTERM, SIGHUP), and with the
 * reason otherwise: a Worker that did not start, or that exited on its own.
 * A second Ctrl-C kills everything at once instead of waiting.
 */
function supervise(running: Running[], onReady: () => Promise<void>): Promise<string | undefined> {
  const outcome = Promise.withResolvers<string | undefined>();
  let settled = false;
  const settle = (reason: string | undefined) => {
    if (settled) return;
    settled = true;
    outcome.resolve(reason);
  };

  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      if (settled) void Promise.allSettled(running.map(({ dev }) => dev.group.kill()));
      settle(undefined);
    });
  }
  for (const { worker, dev } of running) {
    void dev.group.exited.then((code) => settle(`${worker.label} exited unexpectedly (code ${code})`));
  }
  void Promise.all(
    running.map(({ worker, dev }) =>
      dev.ready.catch((error: Error) => {
        throw new Error(`${worker.label} did not start: ${error.message}`);
      }),
    ),
  )
    .then(
      async () => {
        if (!settled) await onReady();
      },
      (error: Error) => settle(error.message),
    )
    .catch((error: Error) => settle(error.message));
  return outcome.promise;
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
  // One registry, named, for every Worker: the outbound Worker's launcher, unlike `wrangler dev`,
  // has no default for it. Its own, too, so no other `wrangler dev` on this machine answers for one of them.
  const registryPath = path.resolve(process.env.WRANGLER_REGISTRY_PATH || path.join(REPO_ROOT, ".wfp", "registry"));
  const planned = plannedPorts(process.env);
  const runnerCount = tenantRunnerCount(process.env);
  const tokens: Tokens = { emulator: emulatorApiToken(), platform: platformApiToken() };
  await assertPortsFree(planned);
  if (values.reset) {
    resetState(stateDir);
    process.stdout.write(`Local state reset (${stateDir}).\n`);
  }
  await applyControlPlaneMigrations(persistFolder(stateDir, CONTROL_PLANE));

  // Runners listen on free ports, which only the emulator (RUNNER_URLS) needs to know.
  const free = await freePorts(
    planned.length + 2 * runnerCount,
    planned.map(({ port }) => port),
  );
  const inspectorPorts = free.slice(0, planned.length + runnerCount);
  const runnerPorts = free.slice(planned.length + runnerCount);
  const runners = runnerPorts.map((port, i) => ({ worker: tenantRunner(i), port }));
  const runnerUrls = runnerPorts.map((port) => `http://${LOOPBACK}:${port}`).join(",");
  const dispatcherPort = planned.find(({ worker }) => worker === DISPATCHER)?.port;
  const tenantUrlTemplate = `http://{host}:${dispatcherPort}/`;
  const running: Running[] = [...planned, ...runners].map(({ worker, port }, i) => ({
    worker,
    dev: startWranglerDev({
      configPath: worker.configPath,
      port,
      inspectorPort: inspectorPorts[i] as number,
      persistTo: persistFolder(stateDir, worker),
      healthPath: worker.healthPath,
      startupTimeoutMs: STARTUP_TIMEOUT_MS,
      onLine: prefixer(worker.label),
      env: { WRANGLER_REGISTRY_PATH: registryPath },
      ...(worker.launcher === undefined ? {} : { launcher: worker.launcher }),
      ...(worker === EMULATOR && runnerCount > 0 ? { extraArgs: ["--var", `RUNNER_URLS:${runnerUrls}`] } : {}),
      // Versions' preview URLs are on the dispatcher, wherever it listens.
      ...(worker === CONTROL_PLANE ? { extraArgs: ["--var", `TENANT_URL_TEMPLATE:${tenantUrlTemplate}`] } : {}),
    }),
  }));

  let failure: string | undefined;
  try {
    failure = await supervise(running, async () => {
      await prepare(running, tokens);
      printSummary(running, stateDir, tokens);
    });
  } finally {
    process.stdout.write("\nStopping...\n");
    const stopped = await Promise.allSettled(running.map(({ dev }) => dev.group.stop()));
    for (const result of stopped) {
      if (result.status === "rejected") failure ??= String(result.reason);
    }
  }
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
    const badArguments =
      error instanceof Error && String((error as NodeJS.ErrnoException).code).startsWith("ERR_PARSE_ARGS");
    if (badArguments) process.stderr.write(`${USAGE}\n`);
    process.exitCode = 1;
  },
);
