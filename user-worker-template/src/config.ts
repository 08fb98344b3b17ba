import { z } from "zod";
import { settingsParser } from "../../platform/settings";

const Vars = z.object({
  /** What `GET /` says. */
  GREETING: z.string().optional(),
  /** Secret: guards `/admin` and the writes. Unset or empty lets nobody through them (auth.ts: 503). */
  API_TOKEN: z.string().default(""),
  /**
   * "true": anyone may write. Unset is "false". Any other word is a
   * misconfiguration, not a guess: null, which closes the writes (auth.ts:
   * 503) and nothing else, so the rest of the app still serves.
   */
  PUBLIC_WRITES: z
    .enum(["true", "false"])
    .default("false")
    .transform((word) => word === "true")
    .nullable()
    .catch(null),
});

/** The app's configuration from its vars and secret, parsed once per env; throws, naming the var, when one is wrong. */
export const configOf = settingsParser(
  "tenant Worker",
  Vars.transform((vars) => ({
    greeting: vars.GREETING,
    apiToken: vars.API_TOKEN,
    publicWrites: vars.PUBLIC_WRITES,
  })),
);
