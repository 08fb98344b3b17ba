import { DNS_LABEL } from "../../platform/hostnames";
import { tenantHostname } from "../../platform/routes";
import type { DispatcherConfig } from "./config";

export const HEALTH_PATH = "/__platform/health";

/** Where a request goes, from its URL alone (the routing table is read afterwards). */
export type Target =
  /** The platform's health check, on one of its own hosts. */
  | { kind: "health" }
  /** Anything else on the platform's own hosts: no tenant. */
  | { kind: "platform" }
  /** A tenant's, if the routing table has `hostname`; `url` is what its Worker sees. */
  | { kind: "tenant"; hostname: string; url: URL };

/** `/<tenant>` or `/<tenant>/rest`: the tenant and the path its Worker sees. */
const TENANT_PREFIX = /^\/([^/]+)(\/.*)?$/;

/**
 * Every hostname but the platform's own is a tenant's: its subdomains
 * (`<tenant>.<domain>`) and custom hostnames alike are looked up by hostname,
 * exactly, case-insensitively (the URL parser lowercases it) and without the
 * port. On the platform's own hosts, with path routing on, `/<tenant>/...` is
 * the tenant at `<tenant>.<domain>`, with the prefix stripped.
 */
export function resolveTarget(url: URL, config: DispatcherConfig): Target {
  const hostname = url.hostname.endsWith(".") ? url.hostname.slice(0, -1) : url.hostname;
  if (!config.hosts.own.has(hostname)) return { kind: "tenant", hostname, url };
  if (url.pathname === HEALTH_PATH) return { kind: "health" };
  if (!config.pathRouting) return { kind: "platform" };
  const match = TENANT_PREFIX.exec(url.pathname);
  const tenant = match?.[1];
  if (tenant === undefined || !DNS_LABEL.test(tenant)) return { kind: "platform" };
  const stripped = new URL(url);
  stripped.pathname = match?.[2] ?? "/";
  return { kind: "tenant", hostname: tenantHostname(tenant, config.hosts.domain), url: stripped };
}
