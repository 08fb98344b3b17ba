import { type AddressClass, classifyHost, isIpLiteral, normalizeHost } from "../../platform/addresses";
import type { Plan } from "../../platform/plans";
import type { PlatformHosts } from "../../platform/platform-hosts";

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

const withinDomain = (hostname: string, domain: string) => hostname === domain || hostname.endsWith(`.${domain}`);

/** `api.example.com` matches itself; `*.example.com` matches its subdomains (not example.com). */
export function matchesAllowlist(hostname: string, allowlist: readonly string[]): boolean {
  return allowlist.some((pattern) =>
    pattern.startsWith("*.") ? hostname.endsWith(pattern.slice(1)) : hostname === pattern,
  );
}

/**
 * Whether a tenant on `plan` may send a subrequest to `url`. The platform's
 * own hostnames, and addresses and names outside the public Internet however
 * they are spelled (platform/addresses.ts), are refused on every plan; then,
 * if the plan has an allowlist, only the hosts on it pass. Names are judged
 * as written: the outbound Worker cannot see what they resolve to
 * (Cloudflare's network does not reach private addresses in production
 * anyway).
 */
export function egressVerdict(url: URL, plan: Plan, hosts: PlatformHosts): Verdict {
  if (url.protocol !== "http:" && url.protocol !== "https:") return blocked("scheme");
  const hostname = normalizeHost(url.hostname);
  if (hostname === null) return blocked("reserved");
  // An address is refused as what it is (loopback, private...), a name first as one of the platform's.
  const address = classifyHost(hostname);
  if (isIpLiteral(hostname) && address !== null) return blocked(address);
  if (hosts.own.has(hostname) || withinDomain(hostname, hosts.domain)) return blocked("platform");
  if (address !== null) return blocked(address);
  if (plan.egressAllowlist !== null && !matchesAllowlist(hostname, plan.egressAllowlist)) {
    return blocked("not_allowlisted");
  }
  return ALLOWED;
}
