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
  /**
   * Only in `npm run dev` (scripts/outbound-dev.ts): workerd's network, restricted to public
   * addresses, judged on what a name resolves to. What is allowed out goes through it. Absent in
   * production, where fetch() goes to the public Internet and nowhere else.
   */
  PUBLIC_INTERNET?: Fetcher;
  /** The dispatch's outbound parameters: production puts them in env (platform/outbound.ts). */
  tenantId?: unknown;
  plan?: unknown;
}
