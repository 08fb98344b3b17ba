import { customHostnameRefusal } from "../../../cloudflare-api/custom-hostname-rules";
import { DNS_LABEL } from "../../../platform/hostnames";
import { tenantHostname } from "../../../platform/routes";
import type { Config } from "../config";
import { isCustomHostname } from "../custom-hostnames/view";
import { ApiError } from "./errors";

/** Why a hostname cannot be the tenant's, or null when it can. */
function problemWith(hostname: string, tenantId: string, config: Config): string | null {
  if (config.platformHosts.includes(hostname)) return "this is one of the platform's own hostnames";
  const domain = config.platformDomain;
  if (isCustomHostname(hostname, domain)) {
    // It becomes a custom hostname on the platform's zone: what the API would refuse is refused now.
    const refusal = customHostnameRefusal(hostname);
    return refusal === null
      ? null
      : `the Cloudflare API does not take this as a custom hostname (${refusal.code}): ${refusal.message}`;
  }
  if (!hostname.split(".").every((label) => DNS_LABEL.test(label))) {
    return "a hostname is DNS labels (letters, digits, inner hyphens)";
  }
  const own = tenantHostname(tenantId, domain);
  if (hostname !== own && !hostname.endsWith(`.${own}`)) {
    return `hostnames under ${domain} are the tenants' own: this tenant may use ${own} and names under it`;
  }
  return null;
}

/**
 * Refuses, naming each, the hostnames that are not the tenant's to take, or that the Cloudflare API
 * refuses as a custom hostname (taken ones are checked against the zone and the registry).
 */
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
