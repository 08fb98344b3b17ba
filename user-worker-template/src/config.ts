import { z } from "zod";

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

export type Config = { greeting: string | undefined; apiToken: string; publicWrites: boolean | null };

/**
 * The app's configuration from its vars and secret; throws, naming the var,
 * when one is wrong. The platform's Workers share this through
 * platform/settings.ts; the template imports nothing outside its folder,
 * because tenants copy the folder, so it has its own few lines. Parsed once
 * per env: the runtime hands every request of an isolate the same object.
 */
const parsed = new WeakMap<object, Config>();
export function configOf(env: object): Config {
  const known = parsed.get(env);
  if (known !== undefined) return known;
  const result = Vars.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new Error(`invalid tenant Worker configuration: ${problems.join("; ")}`);
  }
  const config = {
    greeting: result.data.GREETING,
    apiToken: result.data.API_TOKEN,
    publicWrites: result.data.PUBLIC_WRITES,
  };
  parsed.set(env, config);
  return config;
}
