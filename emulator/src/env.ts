import type { AnalyticsStore } from "./analytics-engine/store";
import type { CustomHostnamesStore } from "./custom-hostnames/store";
import type { D1DatabaseObject } from "./d1/store";
import type { TraceIngestService } from "./dispatch/tail";
import type { TenantObjects } from "./durable-objects/tenant-objects";
import type { Gate } from "./gate/store";
import type { ResourcesStore } from "./resources/store";
import type { WorkersStore } from "./scripts/store";

/** Bindings of the emulator Worker (see wrangler.toml). */
export interface Env {
  /** Bearer token(s) the API accepts, comma-separated. */
  EMULATOR_API_TOKEN: string;
  /** "true" turns on Cloudflare's per-token rate limit at start-up; the admin API can switch it later. */
  RATE_LIMIT_ENABLED: string;
  RATE_LIMIT_REQUESTS: string;
  RATE_LIMIT_WINDOW_SECONDS: string;
  /** How many tenant workers stay loaded before the least recently used idle ones are evicted. */
  MAX_LOADED_WORKERS: string;
  /** How long a loaded worker must have been idle before it may be evicted. */
  LOADED_WORKER_MIN_IDLE_MS: string;
  /** How long one D1 statement may run before it fails as D1's do past their limit (default 30000). */
  D1_QUERY_LIMIT_MS: string;
  /** How long (wall-clock ms) an uploaded script's top level may take to start before the upload is refused (default 1000). */
  STARTUP_LIMIT_MS: string;
  /** Runner processes' base URLs (comma-separated) that run tenants' code; unset: the emulator runs it itself. */
  RUNNER_URLS?: string;

  /** Per account: dispatch namespaces, scripts, tags, secrets. */
  WORKERS_STORE: DurableObjectNamespace<WorkersStore>;
  /** Per account: the registry of KV namespaces, R2 buckets and D1 databases. */
  RESOURCES_STORE: DurableObjectNamespace<ResourcesStore>;
  /** One SQLite database per D1 database id: the REST query endpoint and tenant workers' D1 bindings share it. */
  D1_DATABASES: DurableObjectNamespace<D1DatabaseObject>;
  /** Per account: Analytics Engine data points written by tenant workers. */
  ANALYTICS: DurableObjectNamespace<AnalyticsStore>;
  /** One per script with Durable Object classes: its objects, run as facets (durable-objects/host.ts). */
  TENANT_OBJECTS: DurableObjectNamespace<TenantObjects>;
  /** Singleton: the zone's custom hostnames, fallback origin, and the DNS/HTTP table they are validated against. */
  CUSTOM_HOSTNAMES: DurableObjectNamespace<CustomHostnamesStore>;
  /** Singleton: rate limiting and fault injection. */
  GATE: DurableObjectNamespace<Gate>;

  /** Every tenant KV namespace's data, keys prefixed by namespace id. */
  KV_DATA: KVNamespace;
  /** Every tenant R2 bucket's objects, keys prefixed by account id and bucket name. */
  R2_DATA: R2Bucket;
  /** Uploaded script modules, by account, namespace, script and etag. */
  SCRIPT_MODULES: R2Bucket;
  /** Static assets: each account's files by content hash, and its upload sessions (assets/store.ts). */
  ASSETS_DATA: R2Bucket;

  /** Runs uploaded scripts (the Worker Loader). */
  LOADER: WorkerLoader;
  /** The platform's outbound worker, for namespaces bound with one. */
  OUTBOUND: Fetcher;
  /** The platform's tail Worker, for namespaces whose dispatch Worker has a tail consumer. */
  TAIL: Service & TraceIngestService;
}
