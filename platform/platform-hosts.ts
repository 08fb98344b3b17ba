import { z } from "zod";
import { Hostname } from "./hostnames.ts";

/**
 * The platform's own hostnames, from the vars the dispatcher and the outbound
 * Worker share: `PLATFORM_DOMAIN` (tenants are `<tenant>.<domain>`) and
 * `PLATFORM_HOSTS`, a comma-separated list of other hostnames the platform
 * answers on (the domain itself is always one).
 */
export const PlatformHostsVars = z.object({
  PLATFORM_DOMAIN: Hostname,
  PLATFORM_HOSTS: z
    .string()
    .default("")
    .transform((list) => list.split(",").map((host) => host.trim()))
    .pipe(z.array(z.union([z.literal(""), Hostname]))),
});

export interface PlatformHosts {
  /** Tenants are served at `<tenant>.<domain>`. */
  readonly domain: string;
  /** The platform's own hostnames, the domain included. */
  readonly own: ReadonlySet<string>;
}

export function platformHosts(vars: z.infer<typeof PlatformHostsVars>): PlatformHosts {
  const own = new Set([vars.PLATFORM_DOMAIN, ...vars.PLATFORM_HOSTS.filter((host) => host !== "")]);
  return { domain: vars.PLATFORM_DOMAIN, own };
}
