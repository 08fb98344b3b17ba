import { requestPriority } from "../cloudflare/call-priority";
import { type CloudflareApiBindings, cloudflareClientFromEnv } from "../cloudflare/client";
import { CloudflareApiError } from "../cloudflare/errors";
import type { Config } from "../config";
import { isMadeFor, takenOnZone } from "../custom-hostnames/ownership";
import { isCustomHostname } from "../custom-hostnames/view";
import { ApiError } from "./errors";

/**
 * How long the request waits for each lookup's answer: the request is not held for as long as a
 * step would wait (`CLOUDFLARE_API_TIMEOUT_MS`), since a lookup that does not come back is only
 * a check the step makes again.
 */
export const ZONE_LOOKUP_TIMEOUT_MS = 5_000;

/**
 * Refuses the request (409 `hostname_taken`, naming each) when the platform's zone already has
 * one of the hostnames it adds as a custom hostname made for someone else (another tenant, or
 * by hand): `create_custom_hostnames` would refuse it anyway, but only after the request was
 * taken and the tenant recorded. Asked before anything is written. One the zone has for this
 * tenant (a repeated request, a create whose answer was lost) is its own.
 *
 * An answer the API cannot give now (unreachable, rate limited, refusing the lookup) does not
 * refuse the request: the step asks the zone again, with its retries, and refuses there
 * (`hostname_taken`) what is taken then. That check is needed anyway (a hostname made between
 * this lookup and the step), so this one is the early answer, not the only one.
 */
export async function refuseTakenOnZone(
  env: CloudflareApiBindings,
  config: Config,
  tenantId: string,
  added: readonly string[],
): Promise<void> {
  const custom = added.filter((hostname) => isCustomHostname(hostname, config.platformDomain));
  if (custom.length === 0) return;
  // The request waits on these lookups: they go ahead of background calls in the budget's line.
  const client = cloudflareClientFromEnv(
    env,
    { ...config.cloudflareClient, timeoutMs: Math.min(config.cloudflareClient.timeoutMs, ZONE_LOOKUP_TIMEOUT_MS) },
    requestPriority(),
  );
  const zone = client.customHostnames(config.zoneId);
  const found = await Promise.all(
    custom.map(async (hostname) => {
      try {
        return { hostname, answer: await zone.find(hostname) };
      } catch (error) {
        if (error instanceof CloudflareApiError) return { hostname, answer: null };
        throw error;
      }
    }),
  );
  const taken = found.filter(({ answer }) => answer !== null && !isMadeFor(answer, tenantId));
  if (taken.length === 0) return;
  throw new ApiError(409, "hostname_taken", taken.map(({ hostname }) => takenOnZone(hostname)).join("; "));
}
