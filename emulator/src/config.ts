import { z } from "zod";
import { settingsParser } from "../../platform/settings";

/** Tokens in EMULATOR_API_TOKEN: one, or several separated by commas. */
const configuredTokens = (raw: string) =>
  raw
    .split(",")
    .map((t) => t.trim())
    .filter((t) => t.length > 0);

const count = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);

/** The bound on loaded tenant workers, which the emulator and a runner process (src/runner) both keep. */
export const LoadedWorkerVars = z.object({
  MAX_LOADED_WORKERS: count(1, 200),
  LOADED_WORKER_MIN_IDLE_MS: count(0, 5000),
});

/** Runner processes' base URLs, comma-separated; none: the emulator runs tenants' code itself. */
const runnerUrls = z
  .string()
  .default("")
  .transform((raw) =>
    raw
      .split(",")
      .map((u) => u.trim())
      .filter((u) => u.length > 0),
  )
  .pipe(z.array(z.url({ protocol: /^http$/ })));

/** The emulator's vars (wrangler.toml `[vars]`, README "Configuration"): their defaults and meanings, once. */
const Vars = LoadedWorkerVars.extend({
  EMULATOR_API_TOKEN: z.string().transform(configuredTokens),
  RATE_LIMIT_ENABLED: z
    .enum(["true", "false"])
    .default("false")
    .transform((value) => value === "true"),
  RATE_LIMIT_REQUESTS: count(1, 1200),
  RATE_LIMIT_WINDOW_SECONDS: count(1, 300),
  // D1's maximum SQL query duration (developers.cloudflare.com/d1/platform/limits).
  D1_QUERY_LIMIT_MS: count(1, 30_000),
  // Production's startup limit is 1 s of CPU; the emulator can only time it by the wall clock.
  STARTUP_LIMIT_MS: count(1, 1000),
  RUNNER_URLS: runnerUrls,
});

export type EmulatorConfig = z.output<typeof Vars>;

/** The emulator's configuration from its vars, parsed once per env; throws, naming each wrong var. */
export const emulatorConfig = settingsParser("emulator", Vars);
