import { createRequire } from "node:module";
import path from "node:path";
import { waitForHealth } from "./health.ts";
import { LOOPBACK } from "./ports.ts";
import { type ProcessGroup, spawnGroup } from "./process-group.ts";

/** The repository root, which every wrangler config path is relative to. */
export const REPO_ROOT = path.resolve(import.meta.dirname, "../..");

const require = createRequire(import.meta.url);
/** wrangler's own entry point, run with this Node (the machine's default Node may be too old for it). */
export const WRANGLER_BIN = path.join(path.dirname(require.resolve("wrangler/package.json")), "bin", "wrangler.js");

/**
 * The environment every wrangler process gets, so that nothing it does waits
 * on, or reports to, the internet: no metrics, no error reports, no update
 * check (the banner is what triggers it), and no download of the `request.cf`
 * data miniflare otherwise fetches from workers.cloudflare.com at start-up.
 * And this Node first on PATH: wrangler runs a custom build (the emulator's,
 * a TypeScript script) with whichever `node` PATH finds, and the machine's
 * default may be too old to run TypeScript.
 *
 * And, unless the caller's environment asks for it, without wrangler's local
 * observability (X_LOCAL_OBSERVABILITY, on by default): it attaches a trace
 * collector to every Worker, which then handles the trace events of every
 * invocation on the Worker's own thread (11 % of the control plane's runtime's
 * CPU samples in an onboarding burst, read with `perf`: docs/benchmarks.md,
 * "Onboarding").
 * The platform keeps its logs its own way (tail/), and the figures the benches
 * print are then the platform's, not the collector's.
 */
export function offlineWranglerEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    X_LOCAL_OBSERVABILITY: "false",
    ...process.env,
    PATH: [path.dirname(process.execPath), process.env.PATH].filter(Boolean).join(path.delimiter),
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_SEND_ERROR_REPORTS: "false",
    WRANGLER_HIDE_BANNER: "true",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    ...extra,
  };
}

export type WranglerDevOptions = {
  /** Absolute path of the Worker's wrangler config. */
  configPath: string;
  port: number;
  inspectorPort: number;
  /** Folder for the Worker's local state (KV, R2, D1, Durable Objects, cache). */
  persistTo: string;
  /** Path that answers 2xx once the Worker is up. */
  healthPath: string;
  startupTimeoutMs: number;
  onLine: (line: string) => void;
  /** Added to the offline environment, e.g. WRANGLER_REGISTRY_PATH. */
  env?: NodeJS.ProcessEnv;
  /** More `wrangler dev` arguments, e.g. `--var NAME:VALUE` to override a var of the config. */
  extraArgs?: readonly string[];
  /**
   * A Node script to run instead of `wrangler dev`, taking its `--config`, `--ip`, `--port`,
   * `--inspector-port` and `--persist-to` (as scripts/outbound-dev.ts does); not with `extraArgs`.
   */
  launcher?: string;
};

export type WranglerDev = {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  readonly group: ProcessGroup;
  /** Resolves once the health path answers; rejects if wrangler exits or the start-up time runs out. */
  readonly ready: Promise<void>;
};

/** Starts `wrangler dev` (or the Worker's own launcher) for one Worker, local-only and on loopback. */
export function startWranglerDev(options: WranglerDevOptions): WranglerDev {
  const common = [
    "--config",
    options.configPath,
    "--ip",
    LOOPBACK,
    "--port",
    String(options.port),
    "--inspector-port",
    String(options.inspectorPort),
    "--persist-to",
    options.persistTo,
  ];
  if (options.launcher !== undefined && (options.extraArgs ?? []).length > 0) {
    throw new Error(`${options.launcher} takes no extra wrangler dev arguments`);
  }
  const args =
    options.launcher !== undefined
      ? [options.launcher, ...common]
      : [
          WRANGLER_BIN,
          "dev",
          ...common,
          "--local",
          "--show-interactive-dev-session=false",
          ...(options.extraArgs ?? []),
        ];
  const group = spawnGroup(process.execPath, args, {
    cwd: REPO_ROOT,
    env: offlineWranglerEnv(options.env),
    onLine: options.onLine,
  });
  const url = `http://${LOOPBACK}:${options.port}`;
  const ready = waitForHealth(new URL(options.healthPath, url), group.exited, options.startupTimeoutMs);
  return { url, group, ready };
}
