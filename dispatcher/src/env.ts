/** The dispatcher's bindings and vars (../../wrangler.toml; locally ../wrangler.local.toml). */
export interface Env {
  /**
   * The tenants' Workers. In production a `[[dispatch_namespaces]]` binding;
   * locally a service binding to the emulator's DispatchNamespace entrypoint,
   * whose `get()` answers over RPC (a promise of the Worker's Fetcher).
   */
  DISPATCHER: DispatchNamespace;
  /** The routing table the control plane writes: see platform/routes.ts. */
  ROUTES: KVNamespace;
  /** One data point per request: see metering.ts. */
  METRICS: AnalyticsEngineDataset;

  PLATFORM_DOMAIN: string;
  PLATFORM_HOSTS?: string;
  /** "true": the platform's own hosts also serve tenants at `/<tenant>/...`. */
  PATH_ROUTING?: string;
  ROUTE_CACHE_TTL_MS?: string;
  ROUTE_CACHE_MISS_TTL_MS?: string;
  ROUTE_CACHE_MAX_ENTRIES?: string;
}
