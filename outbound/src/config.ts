import { z } from "zod";
import { type PlatformHosts, PlatformHostsVars, platformHosts } from "../../platform/platform-hosts";
import { settingsParser } from "../../platform/settings";

const Vars = PlatformHostsVars.extend({
  TRUST_OUTBOUND_PARAMS_HEADER: z.string().optional(),
});

export interface OutboundConfig {
  /** The platform's own hostnames, which no tenant may call. */
  readonly hosts: PlatformHosts;
  /** `TRUST_OUTBOUND_PARAMS_HEADER = "true"` (only locally); any other value, or none, is false. */
  readonly trustParamsHeader: boolean;
}

/** The outbound Worker's configuration from its vars, parsed once per env; throws, naming the var, when one is wrong. */
export const configOf: (env: object) => OutboundConfig = settingsParser(
  "outbound Worker",
  Vars.transform((vars) => ({
    hosts: platformHosts(vars),
    trustParamsHeader: vars.TRUST_OUTBOUND_PARAMS_HEADER === "true",
  })),
);
