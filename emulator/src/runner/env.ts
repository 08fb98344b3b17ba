import type { RunnerSupport } from "../dispatch/runner-support";
import type { TraceIngestService } from "../dispatch/tail";
import type { TenantObjects } from "./tenant-objects";

/** Bindings of a runner Worker (emulator/runner.wrangler.toml). */
export interface RunnerEnv {
  /** As the emulator's (config.ts): the bound on the tenant workers this runner keeps loaded. */
  MAX_LOADED_WORKERS: string;
  LOADED_WORKER_MIN_IDLE_MS: string;
  /** The emulator, for scripts' code and every binding call a tenant makes. */
  EMULATOR: Service<RunnerSupport>;
  /** The platform's outbound worker, for namespaces bound with one. */
  OUTBOUND: Fetcher;
  /** The platform's tail Worker, for namespaces whose dispatch Worker has a tail consumer. */
  TAIL: Service & TraceIngestService;
  /** One per script this runner runs that has Durable Object classes: its objects (durable-objects/host.ts). */
  TENANT_OBJECTS: DurableObjectNamespace<TenantObjects>;
  /** Runs tenants' scripts (the Worker Loader). */
  LOADER: WorkerLoader;
}
