import { WorkerEntrypoint } from "cloudflare:workers";
import { classifyHost, isIpLiteral, normalizeHost } from "../../../platform/addresses";
import { spendSubrequest } from "./invocations";

export const INVOCATION_HEADER = "x-wfp-invocation";
/** How outbound parameters reach the outbound worker locally (in production they are its env); see emulator/README.md. */
export const OUTBOUND_PARAMS_HEADER = "x-wfp-outbound-params";

export interface EgressProps {
  /** Parameters for the outbound worker, or null when the namespace binding has none configured. */
  outboundParams: Record<string, unknown> | null;
  /**
   * False for a Durable Object's subrequests, which belong to no dispatched
   * request and so to no invocation's budget (emulator/README.md).
   */
  metered?: boolean;
}

/**
 * Why the emulator will not send a subrequest to the network itself (there is
 * no outbound Worker to judge it), or null when it may. The emulator's own
 * API and every port of the local platform listen on this machine, and
 * `wrangler dev` lets a Worker's fetch() reach loopback and private addresses,
 * so only public IP addresses pass, however they are spelled (the shared
 * classifier judges the address, not the text). A name is refused whatever it
 * is: a Worker cannot see what a name resolves to, and a name in /etc/hosts or
 * one whose DNS points at 127.0.0.1 would reach this machine (emulator/README.md).
 */
export function directEgressRefusal(url: URL): string | null {
  if (url.protocol !== "http:" && url.protocol !== "https:") return `${url.protocol} URLs cannot be fetched`;
  const host = normalizeHost(url.hostname);
  if (host === null) return `${url.hostname} is not a hostname`;
  const kind = classifyHost(host);
  if (kind !== null)
    return `a tenant worker cannot reach loopback or other non-public addresses in the emulator (${host}: ${kind})`;
  if (!isIpLiteral(host)) {
    return `a tenant worker cannot reach names (${host}) in the emulator without an outbound Worker: what a name resolves to cannot be checked here, and it may be this machine`;
  }
  return null;
}

/**
 * Every subrequest of a loaded tenant worker arrives here (its globalOutbound).
 * It spends from the invocation's subrequest budget, then sends the request to
 * the outbound worker with its parameters (which judges it with the same
 * classifier, platform/addresses.ts), or, without one, to the network: only
 * to public IP addresses, never to this machine, where the emulator and the
 * rest of the local platform listen.
 */
export class TenantEgress extends WorkerEntrypoint<{ OUTBOUND: Fetcher }, EgressProps> {
  override async fetch(request: Request): Promise<Response> {
    const invocation = request.headers.get(INVOCATION_HEADER) ?? "";
    if (this.ctx.props.metered !== false && !spendSubrequest(invocation)) throw new Error("Too many subrequests.");
    const outgoing = new Request(request);
    outgoing.headers.delete(INVOCATION_HEADER);
    outgoing.headers.delete(OUTBOUND_PARAMS_HEADER);
    const params = this.ctx.props.outboundParams;
    if (params !== null) {
      outgoing.headers.set(OUTBOUND_PARAMS_HEADER, JSON.stringify(params));
      return this.env.OUTBOUND.fetch(outgoing);
    }
    // Judged on the URL as this isolate parses it, which is the URL fetch() below connects to: the tenant's own
    // parser may be an older one (its compatibility date), so what it wrote is never trusted as it wrote it.
    const refusal = directEgressRefusal(new URL(outgoing.url));
    if (refusal !== null) throw new Error(`Subrequest refused: ${refusal}`);
    return fetch(outgoing);
  }
}
