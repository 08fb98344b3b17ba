/** The tail Worker's bindings and vars (../wrangler.toml). Vars are read through config.ts, never from here. */
export interface Env {
  /** One object per tenant (`idFromName(tenantId)`): its events, and its live followers. */
  TENANT_LOGS: DurableObjectNamespace<import("./tenant-logs").TenantLogs>;
  DISPATCH_NAMESPACE: string;
  LOG_RETENTION_EVENTS?: string;
  LOG_RETENTION_DAYS?: string;
}
