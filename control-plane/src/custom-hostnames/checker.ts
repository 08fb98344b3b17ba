import type { CustomHostname } from "../../../cloudflare-api/custom-hostnames";
import { hasFailed, isLive } from "../../../platform/custom-hostname-view";
import type { CloudflareClient } from "../cloudflare/client";
import type { Config } from "../config";
import type { Env } from "../env";
import { recordAnswer } from "../operations/custom-hostname-steps";
import { type CustomHostnameRow, customHostnameRows, recordCheckFailure } from "../registry/custom-hostnames";
import type { TenantRow } from "../registry/rows";
import { getTenant } from "../registry/tenants";
import { routeRecordOf, writeRoutes } from "../routing/routing-table";
import { customHostnameView, isCustomHostname } from "./view";

export type CheckerDeps = { readonly env: Env; readonly config: Config; readonly api: CloudflareClient };
type CheckPolicy = Config["hostnameChecks"];

/** How long after its `attempts`th check a pending hostname is read again: doubling, capped (no jitter: one reader per tenant). */
export const checkDelayMs = (attempts: number, policy: CheckPolicy): number =>
  Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempts - 1));

/** Still to be watched: created, not live, not given up, checks not stopped. */
const watched = (row: CustomHostnameRow, platformDomain: string) =>
  isCustomHostname(row.hostname, platformDomain) &&
  row.state !== "removing" &&
  row.custom_hostname_id !== null &&
  row.live_at === null &&
  row.check_failure === null;

/**
 * Reads again each of the tenant's pending custom hostnames whose check is due, records the
 * answer, and routes a hostname that went live to the tenant (`active` instead of `pending`);
 * one Cloudflare gave up on (moved, timed out) or still pending after the last allowed check
 * has its checks stopped with the reason recorded. Returns when the next check is due, or null
 * when nothing is left to watch. Runs between the tenant's operations, never beside one.
 */
export async function checkPendingHostnames(
  deps: CheckerDeps,
  tenantId: string,
  now = Date.now(),
): Promise<number | null> {
  const { env, config } = deps;
  const tenant = await getTenant(env.DB, tenantId);
  if (tenant === null || (tenant.state !== "active" && tenant.state !== "suspended")) return null;
  const policy = config.hostnameChecks;
  const zone = deps.api.customHostnames(config.zoneId);
  let next: number | null = null;
  const later = (at: number) => {
    next = next === null ? at : Math.min(next, at);
  };
  for (const row of (await customHostnameRows(env.DB, tenantId)).filter((row) => watched(row, config.platformDomain))) {
    const due = (row.checked_at === null ? 0 : Date.parse(row.checked_at)) + checkDelayMs(row.check_attempts, policy);
    if (due > now) {
      later(due);
      continue;
    }
    const answer = await zone.get(row.custom_hostname_id as string).catch(() => null);
    if (answer === null) {
      // The API failing is no news about the hostname: asked again after the shortest wait.
      later(now + policy.baseMs);
      continue;
    }
    const after = await takeAnswer(deps, tenant, row, answer, now);
    if (after !== null) later(after);
  }
  return next;
}

/**
 * Records a fresh answer for a watched claim and acts on it: a hostname that went live is routed
 * to the tenant (`active` instead of `pending`); one Cloudflare gave up on (moved, timed out), or
 * still pending after the last allowed check, has its checks stopped with the reason recorded.
 * Returns when it should be read again, or null when it is no longer watched.
 */
export async function takeAnswer(
  deps: CheckerDeps,
  tenant: TenantRow,
  row: CustomHostnameRow,
  answer: CustomHostname,
  now = Date.now(),
): Promise<number | null> {
  const { env, config } = deps;
  const policy = config.hostnameChecks;
  const view = customHostnameView(row.hostname, answer, { checkedAt: null, liveAt: null, failure: null });
  if (isLive(view)) {
    // Routed first, then recorded: once GET shows `liveAt`, the dispatcher serves it.
    await writeRoutes(env.ROUTES, routeRecordOf(tenant, { plan: tenant.plan, suspended: tenant.suspended }), [
      row.hostname,
    ]);
    await recordAnswer({ env, tenant }, answer, row).run();
    return null;
  }
  await recordAnswer({ env, tenant }, answer, row).run();
  if (hasFailed(view)) {
    await recordCheckFailure(
      env.DB,
      tenant.id,
      row.hostname,
      `Cloudflare stopped validating it (status ${view.status}, certificate ${view.ssl.status}): check it again once its records are published`,
    ).run();
    return null;
  }
  if (row.check_attempts + 1 >= policy.maxAttempts) {
    await recordCheckFailure(
      env.DB,
      tenant.id,
      row.hostname,
      `still ${view.status} after ${policy.maxAttempts} checks: no longer checked until it is checked again`,
    ).run();
    return null;
  }
  return now + checkDelayMs(row.check_attempts + 1, policy);
}
