/**
 * The control plane's bindings and vars (wrangler.toml; wrangler.local.toml for the emulator).
 * The vars and secrets are read through config.ts, never from here.
 */
export interface Env {
  DB: D1Database;
  /** The dispatcher's routing table. Locally the dispatcher's RoutesTable entrypoint, with the calls used here. */
  ROUTES: Pick<KVNamespace, "get" | "put" | "delete">;
  SCRIPTS: R2Bucket;
  TENANT_OPERATIONS: DurableObjectNamespace<import("./operations/tenant-operations").TenantOperations>;
  ROLLOUTS: DurableObjectNamespace<import("./rollouts/rollout").Rollout>;
  API_BUDGET: DurableObjectNamespace<import("./cloudflare/budget").ApiBudget>;
  /**
   * The tail Worker (`wfp-tail`, tail/), which keeps each tenant's log events under its script
   * name: read, followed live and deleted through its internal API (src/logs/tail.ts).
   */
  LOGS: Fetcher;
  /** Locally: the emulator, which Cloudflare API calls go through instead of the Internet. */
  CLOUDFLARE_API?: Fetcher;
  CLOUDFLARE_ACCOUNT_ID: string;
  CLOUDFLARE_ZONE_ID: string;
  CLOUDFLARE_API_BASE_URL: string;
  CLOUDFLARE_API_TOKEN: string;
  /** Secret, optional: the read-only token the metering is read with (config.ts). */
  CLOUDFLARE_ANALYTICS_API_TOKEN?: string;
  CLOUDFLARE_API_RATE_LIMIT: string;
  CLOUDFLARE_API_RATE_WINDOW_SECONDS: string;
  CLOUDFLARE_API_TIMEOUT_MS: string;
  PLATFORM_API_TOKEN: string;
  DISPATCH_NAMESPACE: string;
  PLATFORM_DOMAIN: string;
  PLATFORM_HOSTS: string;
  TENANT_COMPATIBILITY_DATE: string;
  OPERATION_MAX_ATTEMPTS: string;
  OPERATION_RETRY_BASE_MS: string;
  OPERATION_RETRY_MAX_MS: string;
  SCRIPT_CHECK_WAIT_MS: string;
  CHANGES_AT_ONCE?: string;
  METRICS_DATASET?: string;
  ROLLOUT_OBSERVATION_MS?: string;
  ROLLOUT_ERROR_RATE_TOLERANCE?: string;
  TENANT_URL_TEMPLATE?: string;
}
