import { z } from "zod";

/** What a plan gives a tenant: per-request limits, where its Worker may send subrequests, its cron triggers. */
export interface Plan {
  /** CPU time per request, in milliseconds (`limits.cpuMs` of the dispatch). */
  readonly cpuMs: number;
  /** Subrequests per request (`limits.subRequests` of the dispatch). */
  readonly subRequests: number;
  /**
   * Hostnames the tenant's subrequests may reach, exact (`api.example.com`)
   * or any subdomain (`*.example.com`); null for any public host. Loopback,
   * private, link-local and metadata addresses and the platform's own
   * hostnames are refused whatever the plan says.
   */
  readonly egressAllowlist: readonly string[] | null;
  /**
   * How many cron triggers the tenant's script may have (Cloudflare allows a
   * Worker a few on its Free plan, more on paid ones; the control plane refuses more).
   */
  readonly maxCrons: number;
}

/**
 * The platform's plans: the one table the dispatcher (limits), the outbound
 * Worker (egress) and the control plane (which plans exist) read. Free-tier
 * subrequests reach only the hosts listed: replace them with the APIs your
 * free tier may call.
 */
export const PLANS = {
  free: { cpuMs: 10, subRequests: 10, egressAllowlist: ["example.com", "*.example.com"], maxCrons: 3 },
  pro: { cpuMs: 50, subRequests: 100, egressAllowlist: null, maxCrons: 10 },
  enterprise: { cpuMs: 500, subRequests: 1000, egressAllowlist: null, maxCrons: 20 },
} as const satisfies Record<string, Plan>;

export type PlanName = keyof typeof PLANS;
export const PlanName = z.enum(Object.keys(PLANS) as [PlanName, ...PlanName[]]);

export function planOf(name: PlanName): Plan {
  return PLANS[name];
}

/** The most cron triggers any plan allows: no list of crons is ever longer. */
export const MAX_CRONS_ANY_PLAN = Math.max(...Object.values(PLANS).map((plan: Plan) => plan.maxCrons));

/** Why `count` cron triggers are too many for the plan; null when it allows them. */
export function cronLimitRefusal(name: PlanName, count: number): string | null {
  const { maxCrons } = planOf(name);
  return count <= maxCrons ? null : `the ${name} plan allows at most ${maxCrons} cron triggers; ${count} given`;
}
