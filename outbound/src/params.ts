import { OutboundParams } from "../../platform/outbound";
import type { Env } from "./env";

/** Where the emulator puts the dispatch's outbound parameters (emulator/src/dispatch/egress.ts). */
export const OUTBOUND_PARAMS_HEADER = "x-wfp-outbound-params";

function fromHeader(raw: string | null): OutboundParams | null {
  if (raw === null) return null;
  try {
    const parsed = OutboundParams.safeParse(JSON.parse(raw));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

/**
 * The tenant's parameters for this subrequest: from env, as production passes
 * them; locally, only when configured to trust it (`trustHeader`), from the
 * emulator's header. Null when there are none that are valid.
 */
export function outboundParams(request: Request, env: Env, trustHeader: boolean): OutboundParams | null {
  const fromEnv = OutboundParams.safeParse({ tenantId: env.tenantId, plan: env.plan });
  if (fromEnv.success) return fromEnv.data;
  if (!trustHeader) return null;
  return fromHeader(request.headers.get(OUTBOUND_PARAMS_HEADER));
}

/** The subrequest as it leaves: without the parameters header, whoever set it. */
export function outgoingRequest(request: Request): Request {
  const outgoing = new Request(request, { redirect: "manual" });
  outgoing.headers.delete(OUTBOUND_PARAMS_HEADER);
  return outgoing;
}
