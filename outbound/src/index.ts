import { planOf } from "../../platform/plans";
import { blockedResponse, countBlocked, unreachableResponse } from "./blocked";
import { configOf } from "./config";
import type { Env } from "./env";
import { OUTBOUND_PARAMS_HEADER, outboundParams, outgoingRequest } from "./params";
import { type BlockReason, egressVerdict } from "./policy";

const HEALTH_PATH = "/__platform/health";

/**
 * The outbound Worker: every subrequest of every tenant's Worker arrives here
 * before it reaches the Internet. It refuses what a tenant must not reach
 * (see policy.ts), counts each refusal, and sends the rest on unchanged, its
 * body streamed. Redirects come back to the tenant's fetch(), so each hop is
 * judged again.
 */
export default {
  async fetch(request, env): Promise<Response> {
    const config = configOf(env);
    const params = outboundParams(request, env, config.trustParamsHeader);
    const outgoing = outgoingRequest(request);
    const url = new URL(outgoing.url);
    // Reached with no tenant's parameters at all: not a subrequest but `npm run dev` checking it is up.
    if (params === null && url.pathname === HEALTH_PATH && !request.headers.has(OUTBOUND_PARAMS_HEADER)) {
      return Response.json({ ok: true, service: "wfp-outbound" });
    }
    let reason: BlockReason | undefined;
    if (params === null) {
      reason = "no_params";
    } else {
      const verdict = egressVerdict(url, planOf(params.plan), config.hosts);
      if (!verdict.allowed) reason = verdict.reason;
    }
    if (reason !== undefined) {
      countBlocked(env.EGRESS_BLOCKED, params, url.hostname, reason);
      return blockedResponse(url.hostname, reason);
    }
    if (env.PUBLIC_INTERNET === undefined) return fetch(outgoing);
    // Locally, through a network that reaches public addresses only. Its refusal is an exception,
    // which `wrangler dev` would turn into a 500 page with our stack: the tenant gets a 502 instead.
    try {
      return await env.PUBLIC_INTERNET.fetch(outgoing);
    } catch {
      return unreachableResponse(url.hostname);
    }
  },
} satisfies ExportedHandler<Env>;
