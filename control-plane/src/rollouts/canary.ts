import { hex } from "../hex";

/**
 * The canary batch: the `count` tenants whose SHA-256 of `<rollout id>:<tenant
 * id>` is lowest. Deterministic for a rollout (a crash or a second look
 * chooses the same), spread over the id space and the plans rather than the
 * first ids in order, and another set for each rollout, so the same tenants
 * do not bear every rollout's risk.
 */
export async function chooseCanary(
  rolloutId: string,
  tenantIds: readonly string[],
  count: number,
): Promise<Set<string>> {
  if (count === 0) return new Set();
  const ranked = await Promise.all(
    tenantIds.map(async (tenantId) => {
      const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`${rolloutId}:${tenantId}`));
      return { tenantId, rank: hex(digest) };
    }),
  );
  ranked.sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0));
  return new Set(ranked.slice(0, count).map((entry) => entry.tenantId));
}
