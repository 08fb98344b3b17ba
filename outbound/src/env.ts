/** The outbound Worker's bindings and vars (wrangler.toml; locally wrangler.local.toml). */
export interface Env {
  /** One data point per refused subrequest: see blocked.ts. */
  EGRESS_BLOCKED: AnalyticsEngineDataset;
  PLATFORM_DOMAIN: string;
  PLATFORM_HOSTS?: string;
  /**
   * "true" only locally: read the tenant's parameters from the
   * x-wfp-outbound-params header the emulator sets, as they cannot be env
   * there. Never in production, where a tenant could forge the header.
   */
  TRUST_OUTBOUND_PARAMS_HEADER?: string;
  /** The dispatch's outbound parameters: production puts them in env (platform/outbound.ts). */
  tenantId?: unknown;
  plan?: unknown;
}
