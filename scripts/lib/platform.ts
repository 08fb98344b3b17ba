import path from "node:path";
import { unstable_getVarsForDev, unstable_readConfig } from "wrangler";
import { RUNNER_HEALTH_PATH } from "../../emulator/src/runner/health.ts";
import { REPO_ROOT } from "./wrangler-dev.ts";

/** One of the platform's Workers as `npm run dev` runs it. */
export type PlatformWorker = {
  readonly label: "emulator" | "outbound" | "tail" | "control-plane" | "dispatcher";
  /** Absolute path of its wrangler config. */
  readonly configPath: string;
  /** Environment variable that overrides the config's `[dev] port`. */
  readonly portEnvVar: string;
  readonly healthPath: string;
  /** A Node script `npm run dev` starts it with instead of `wrangler dev` (same flags). */
  readonly launcher?: string;
};

/**
 * A tenant runner (emulator/src/runner): runs tenants' code for the emulator, in a process of its own,
 * started by scripts/runner-dev.ts, which replaces it when a request holds it. `npm run dev` starts
 * TENANT_RUNNERS of them (default 2), each on a free port only the emulator is told.
 */
export type TenantRunner = Pick<PlatformWorker, "configPath" | "healthPath"> & {
  readonly label: `runner-${number}`;
  readonly launcher: string;
};

export const DEFAULT_TENANT_RUNNERS = 2;

export function tenantRunner(index: number): TenantRunner {
  return {
    label: `runner-${index + 1}`,
    configPath: path.join(REPO_ROOT, "emulator/runner.wrangler.toml"),
    healthPath: RUNNER_HEALTH_PATH,
    launcher: path.join(REPO_ROOT, "scripts/runner-dev.ts"),
  };
}

export const EMULATOR: PlatformWorker = {
  label: "emulator",
  configPath: path.join(REPO_ROOT, "emulator/wrangler.toml"),
  portEnvVar: "EMULATOR_PORT",
  healthPath: "/__emulator/health",
};

/**
 * Every subrequest of a tenant's Worker goes through it (the emulator's OUTBOUND binding). Started
 * by scripts/outbound-dev.ts, which gives its fetch() a network that reaches public addresses only.
 */
export const OUTBOUND: PlatformWorker = {
  label: "outbound",
  configPath: path.join(REPO_ROOT, "outbound/wrangler.local.toml"),
  portEnvVar: "OUTBOUND_PORT",
  healthPath: "/__platform/health",
  launcher: path.join(REPO_ROOT, "scripts/outbound-dev.ts"),
};

/**
 * Files tenants' trace events (logs, exceptions, outcomes) per tenant (tail/): the emulator hands it
 * each loaded script's events (its TAIL binding), the control plane reads them (its LOGS binding).
 */
export const TAIL: PlatformWorker = {
  label: "tail",
  configPath: path.join(REPO_ROOT, "tail/wrangler.toml"),
  portEnvVar: "TAIL_PORT",
  healthPath: "/__platform/health",
};

export const CONTROL_PLANE: PlatformWorker = {
  label: "control-plane",
  // control-plane/wrangler.toml is production; this is the same Worker against the emulator.
  configPath: path.join(REPO_ROOT, "control-plane/wrangler.local.toml"),
  portEnvVar: "CONTROL_PLANE_PORT",
  healthPath: "/health",
};

export const DISPATCHER: PlatformWorker = {
  label: "dispatcher",
  // The root wrangler.toml is production; this is the same Worker against the emulator.
  configPath: path.join(REPO_ROOT, "dispatcher/wrangler.local.toml"),
  portEnvVar: "DISPATCHER_PORT",
  healthPath: "/__platform/health",
};

/** In start-up order: the emulator first, as the others call it. */
export const PLATFORM_WORKERS: readonly PlatformWorker[] = [EMULATOR, OUTBOUND, TAIL, CONTROL_PLANE, DISPATCHER];

/** The `[dev] port` the Worker's wrangler config declares. */
export function configuredDevPort(worker: PlatformWorker): number {
  const port = unstable_readConfig({ config: worker.configPath }).dev.port;
  if (port === undefined) throw new Error(`${worker.configPath} declares no [dev] port`);
  return port;
}

/**
 * The API token the emulator accepts in development: the first of its
 * EMULATOR_API_TOKEN var, as `wrangler dev` resolves it (the config's
 * `[vars]`, overridden by a .dev.vars or .env next to it).
 */
export function emulatorApiToken(): string {
  return firstTokenOf(EMULATOR, "EMULATOR_API_TOKEN");
}

/** The operators' token the local control plane accepts (its PLATFORM_API_TOKEN var, as `wrangler dev` resolves it). */
export function platformApiToken(): string {
  return firstTokenOf(CONTROL_PLANE, "PLATFORM_API_TOKEN");
}

function firstTokenOf(worker: PlatformWorker, name: string): string {
  const config = unstable_readConfig({ config: worker.configPath });
  const vars = unstable_getVarsForDev(config.configPath, undefined, config.vars, undefined, true);
  const binding = vars[name];
  const raw = binding !== undefined && "value" in binding ? String(binding.value) : "";
  const token = raw
    .split(",")
    .map((t) => t.trim())
    .find((t) => t.length > 0);
  if (token === undefined) throw new Error(`${worker.configPath} sets no ${name}`);
  return token;
}
