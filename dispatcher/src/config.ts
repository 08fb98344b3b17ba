import { z } from "zod";
import { type PlatformHosts, PlatformHostsVars, platformHosts } from "../../platform/platform-hosts";
import { parseSettings } from "../../platform/settings";
import type { Env } from "./env";

const Vars = PlatformHostsVars.extend({
  PATH_ROUTING: z.enum(["true", "false"]).default("false"),
  ROUTE_CACHE_TTL_MS: z.coerce.number().int().min(0).default(30_000),
  ROUTE_CACHE_MISS_TTL_MS: z.coerce.number().int().min(0).default(1_000),
  ROUTE_CACHE_MAX_ENTRIES: z.coerce.number().int().min(1).default(10_000),
});

export interface DispatcherConfig {
  readonly hosts: PlatformHosts;
  /** Whether the platform's own hosts serve `/<tenant>/...`. */
  readonly pathRouting: boolean;
  /** How long a routing table answer (a route, or that there is none) is trusted; 0 reads KV every time. */
  readonly routeCacheTtlMs: number;
  /** How long "this hostname has no route" is trusted; shorter, so a new tenant answers soon. */
  readonly routeCacheMissTtlMs: number;
  readonly routeCacheMaxEntries: number;
}

/** The dispatcher's configuration from its vars; throws, naming the var, when one is wrong. */
export function parseConfig(env: Env): DispatcherConfig {
  const vars = parseSettings("dispatcher", Vars, env);
  return {
    hosts: platformHosts(vars),
    pathRouting: vars.PATH_ROUTING === "true",
    routeCacheTtlMs: vars.ROUTE_CACHE_TTL_MS,
    routeCacheMissTtlMs: vars.ROUTE_CACHE_MISS_TTL_MS,
    routeCacheMaxEntries: vars.ROUTE_CACHE_MAX_ENTRIES,
  };
}
