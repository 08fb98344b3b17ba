import { DNS_LABEL } from "../../../platform/hostnames";
import { tenantHostname } from "../../../platform/routes";
import type { Config } from "../config";
import { ApiError } from "./errors";

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/** Why a custom hostname cannot be the tenant's, or null when it can. */
function problemWith(hostname: string, tenantId: string, config: Config): string | null {
  if (hostname.startsWith("[") || IPV4.test(hostname)) return "an IP address is not a hostname";
  const labels = hostname.split(".");
  if (labels.length < 2 || !labels.every((label) => DNS_LABEL.test(label))) {
    return "a hostname is two or more DNS labels (letters, digits, inner hyphens)";
  }
  if (config.platformHosts.includes(hostname)) return "this is one of the platform's own hostnames";
  const domain = config.platformDomain;
  if (hostname === domain || hostname.endsWith(`.${domain}`)) {
    const own = tenantHostname(tenantId, domain);
    if (hostname !== own && !hostname.endsWith(`.${own}`)) {
      return `hostnames under ${domain} are the tenants' own: this tenant may use ${own} and names under it`;
    }
  }
  return null;
}

/** Refuses, naming each, the hostnames that are not the tenant's to take (taken ones are checked against the registry). */
export function checkHostnames(hostnames: readonly string[], tenantId: string, config: Config): string[] {
  const details = hostnames.flatMap((hostname, index) => {
    const problem = problemWith(hostname, tenantId, config);
    return problem === null ? [] : [{ path: `hostnames.${index}`, message: `${hostname}: ${problem}` }];
  });
  if (details.length > 0) {
    throw new ApiError(
      400,
      "invalid_request",
      `hostnames.${details[0]?.path.split(".")[1]}: ${details[0]?.message}`,
      details,
    );
  }
  // The tenant's own hostname is implied: not stored twice.
  const own = tenantHostname(tenantId, config.platformDomain);
  return [...new Set(hostnames)].filter((hostname) => hostname !== own);
}
