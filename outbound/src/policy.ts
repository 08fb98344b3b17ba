import type { Plan } from "../../platform/plans";
import type { PlatformHosts } from "../../platform/platform-hosts";
import { type AddressClass, classifyAddress, isIpLiteral } from "./addresses";

/** Why a subrequest was refused. */
export type BlockReason =
  | AddressClass
  /** The platform's own hostnames: a tenant reaching the platform from inside would bypass its front door. */
  | "platform"
  /** Not on the tenant's plan's egress allowlist. */
  | "not_allowlisted"
  /** Neither http: nor https:. */
  | "scheme"
  /** No valid tenant parameters: not a tenant's subrequest as the dispatcher sends them. */
  | "no_params";

export type Verdict = { allowed: true } | { allowed: false; reason: BlockReason };

const ALLOWED: Verdict = { allowed: true };
const blocked = (reason: BlockReason): Verdict => ({ allowed: false, reason });

/** Names that only resolve inside a network, never on the public Internet. */
const LOCAL_SUFFIXES = [".localhost", ".internal", ".local", ".localdomain", ".home.arpa"];
/** Cloud metadata services by name (GCP's, AWS's). */
const METADATA_NAMES = new Set(["metadata.google.internal", "metadata.goog", "metadata", "instance-data"]);

const withinDomain = (hostname: string, domain: string) => hostname === domain || hostname.endsWith(`.${domain}`);

/** `api.example.com` matches itself; `*.example.com` matches its subdomains (not example.com). */
export function matchesAllowlist(hostname: string, allowlist: readonly string[]): boolean {
  return allowlist.some((pattern) =>
    pattern.startsWith("*.") ? hostname.endsWith(pattern.slice(1)) : hostname === pattern,
  );
}

function classifyName(hostname: string, hosts: PlatformHosts): BlockReason | null {
  if (hosts.own.has(hostname) || withinDomain(hostname, hosts.domain)) return "platform";
  if (METADATA_NAMES.has(hostname)) return "metadata";
  if (hostname === "localhost" || hostname.endsWith(".localhost")) return "loopback";
  // A single label resolves only through a local search domain (http://metadata/, http://intranet/).
  if (!hostname.includes(".") || LOCAL_SUFFIXES.some((suffix) => hostname.endsWith(suffix))) return "private";
  return null;
}

/**
 * Whether a tenant on `plan` may send a subrequest to `url`. Addresses and
 * names outside the public Internet and the platform's own hostnames are
 * refused on every plan; then, if the plan has an allowlist, only the hosts
 * on it pass. Names are judged as written: the outbound Worker cannot see
 * what they resolve to (Cloudflare's network does not reach private
 * addresses in production anyway).
 */
export function egressVerdict(url: URL, plan: Plan, hosts: PlatformHosts): Verdict {
  if (url.protocol !== "http:" && url.protocol !== "https:") return blocked("scheme");
  const hostname = url.hostname.endsWith(".") ? url.hostname.slice(0, -1) : url.hostname;
  if (isIpLiteral(hostname)) {
    const address = classifyAddress(hostname);
    if (address !== null) return blocked(address);
  } else {
    const name = classifyName(hostname, hosts);
    if (name !== null) return blocked(name);
  }
  if (plan.egressAllowlist !== null && !matchesAllowlist(hostname, plan.egressAllowlist)) {
    return blocked("not_allowlisted");
  }
  return ALLOWED;
}
