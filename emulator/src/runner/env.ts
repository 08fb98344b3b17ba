import type { RunnerSupport } from "../dispatch/runner-support";

/** Bindings of a runner Worker (emulator/runner.wrangler.toml). */
export interface RunnerEnv {
  /** As the emulator's (config.ts): the bound on the tenant workers this runner keeps loaded. */
  MAX_LOADED_WORKERS: string;
  LOADED_WORKER_MIN_IDLE_MS: string;
  /** The emulator, for scripts' code and every binding call a tenant makes. */
  EMULATOR: Service<RunnerSupport>;
  /** The platform's outbound worker, for namespaces bound with one. */
  OUTBOUND: Fetcher;
  /** Runs tenants' scripts (the Worker Loader). */
  LOADER: WorkerLoader;
}
