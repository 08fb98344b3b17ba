import { WorkerEntrypoint } from "cloudflare:workers";
import type { Env } from "../env";
import { spendSubrequest } from "./invocations";

export const INVOCATION_HEADER = "x-wfp-invocation";
/** How outbound parameters reach the outbound worker locally (in production they are its env); see emulator/README.md. */
export const OUTBOUND_PARAMS_HEADER = "x-wfp-outbound-params";

export interface EgressProps {
  /** Parameters for the outbound worker, or null when the namespace binding has none configured. */
  outboundParams: Record<string, unknown> | null;
}

const LOOPBACK = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\]|0\.0\.0\.0|\[::\])$/i;

/**
 * Every subrequest of a loaded tenant worker arrives here (its globalOutbound).
 * It spends from the invocation's subrequest budget, then sends the request to
 * the outbound worker with its parameters, or, without one, to the network —
 * but never to loopback, where the emulator and the rest of the local
 * platform listen.
 */
export class TenantEgress extends WorkerEntrypoint<Env, EgressProps> {
  override async fetch(request: Request): Promise<Response> {
    const invocation = request.headers.get(INVOCATION_HEADER) ?? "";
    if (!spendSubrequest(invocation)) throw new Error("Too many subrequests.");
    const outgoing = new Request(request);
    outgoing.headers.delete(INVOCATION_HEADER);
    outgoing.headers.delete(OUTBOUND_PARAMS_HEADER);
    const params = this.ctx.props.outboundParams;
    if (params !== null) {
      outgoing.headers.set(OUTBOUND_PARAMS_HEADER, JSON.stringify(params));
      return this.env.OUTBOUND.fetch(outgoing);
    }
    if (LOOPBACK.test(new URL(outgoing.url).hostname)) {
      throw new Error("Subrequest refused: a tenant worker cannot reach loopback addresses in the emulator");
    }
    return fetch(outgoing);
  }
}
