import { z } from "zod";
import { AnalyticsDataset } from "../../cloudflare-api/analytics-engine-sql";
import { AccountId, ScriptName, ZoneId } from "../../cloudflare-api/names";
import { PlatformHostsVars } from "../../platform/platform-hosts";
import { DEFAULT_METRICS_DATASET } from "../../platform/request-metrics";
import { settingsParser } from "../../platform/settings";
import type { BudgetRule } from "./cloudflare/budget";
import { DEFAULT_API_BASE_URL, DEFAULT_TIMEOUT_MS } from "./cloudflare/transport";

/** A whole number of at least 1; unset or blank is `fallback`. */
const positiveInt = (fallback: number) =>
  z.preprocess(
    (raw) => (typeof raw === "string" && raw.trim() === "" ? undefined : raw),
    z.coerce.number().int().min(1).default(fallback),
  );

const Count = z.coerce.number().int().min(1);
const Millis = z.coerce.number().int().min(0);

/** What the Cloudflare API client needs (cloudflare/client.ts), from its vars and secret. */
export interface CloudflareClientConfig {
  readonly accountId: AccountId;
  readonly apiToken: string;
  readonly baseUrl: string;
  readonly timeoutMs: number;
  /** The shared budget's rule: Cloudflare's 1,200 requests per 300 s by default. */
  readonly budget: BudgetRule;
}

/** The Cloudflare API client's vars and secret: all a Worker that only calls the API sets. */
const CloudflareApiVars = z.object({
  CLOUDFLARE_ACCOUNT_ID: AccountId,
  CLOUDFLARE_API_TOKEN: z.string().min(1, "is not set"),
  CLOUDFLARE_API_BASE_URL: z
    .string()
    .optional()
    .transform((url) => url || DEFAULT_API_BASE_URL),
  CLOUDFLARE_API_TIMEOUT_MS: positiveInt(DEFAULT_TIMEOUT_MS),
  CLOUDFLARE_API_RATE_LIMIT: positiveInt(1200),
  CLOUDFLARE_API_RATE_WINDOW_SECONDS: positiveInt(300),
});

function cloudflareClientConfig(vars: z.output<typeof CloudflareApiVars>): CloudflareClientConfig {
  return {
    accountId: vars.CLOUDFLARE_ACCOUNT_ID,
    apiToken: vars.CLOUDFLARE_API_TOKEN,
    baseUrl: vars.CLOUDFLARE_API_BASE_URL,
    timeoutMs: vars.CLOUDFLARE_API_TIMEOUT_MS,
    budget: { limit: vars.CLOUDFLARE_API_RATE_LIMIT, windowMs: vars.CLOUDFLARE_API_RATE_WINDOW_SECONDS * 1000 },
  };
}

/** The control plane's vars and secrets: the client's, the platform's hostnames, and its own. */
const Vars = CloudflareApiVars.extend(PlatformHostsVars.shape).extend({
  /** Secret. Unset or empty lets nobody in (api/auth.ts). */
  PLATFORM_API_TOKEN: z.string().default(""),
  DISPATCH_NAMESPACE: ScriptName,
  /** The platform's zone (Cloudflare for SaaS on it): tenants' own domains are its custom hostnames. */
  CLOUDFLARE_ZONE_ID: ZoneId,
  /** How often, and how long, a pending custom hostname is read again (backoff from the first to the last). */
  CUSTOM_HOSTNAME_CHECK_BASE_MS: positiveInt(30_000),
  CUSTOM_HOSTNAME_CHECK_MAX_MS: positiveInt(3_600_000),
  CUSTOM_HOSTNAME_CHECK_MAX_ATTEMPTS: positiveInt(200),
  TENANT_COMPATIBILITY_DATE: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  OPERATION_MAX_ATTEMPTS: Count.max(100),
  OPERATION_RETRY_BASE_MS: Millis,
  OPERATION_RETRY_MAX_MS: Millis,
  SCRIPT_CHECK_WAIT_MS: Millis,
  /**
   * How many of the API's changes (its POST, PUT, PATCH and DELETE requests) one isolate works on at
   * once; the rest wait their turn in arrival order (api/changes-in-turn.ts). 24 unless set.
   */
  CHANGES_AT_ONCE: positiveInt(24),
  /**
   * How long the API's acceptance of a bundle stands in for checking it again (scripts/accepted-code.ts):
   * an hour unless set; 0 checks every provisioning's code.
   */
  SCRIPT_CHECK_REUSE_SECONDS: z.preprocess(
    (raw) => (typeof raw === "string" && raw.trim() === "" ? undefined : raw),
    z.coerce
      .number()
      .int()
      .min(0)
      .default(60 * 60),
  ),
  /**
   * Secret, optional: a read-only token (Account Analytics Read) the dispatcher's metering is read
   * with, through Analytics Engine's SQL API. Unset or empty: CLOUDFLARE_API_TOKEN, which then needs
   * that permission too.
   */
  CLOUDFLARE_ANALYTICS_API_TOKEN: z.string().optional(),
  /** The dispatcher's Analytics Engine dataset (its METRICS binding's), read for request counts. */
  METRICS_DATASET: z.preprocess(
    (raw) => (typeof raw === "string" && raw.trim() === "" ? undefined : raw),
    AnalyticsDataset.default(DEFAULT_METRICS_DATASET as AnalyticsDataset),
  ),
  /** How long a staged rollout watches its canary before judging its error rate (and the window before, compared). */
  ROLLOUT_OBSERVATION_MS: positiveInt(300_000),
  /** How much the canary's error rate (a fraction) may rise before autoResume holds the rollout. */
  ROLLOUT_ERROR_RATE_TOLERANCE: z.preprocess(
    (raw) => (typeof raw === "string" && raw.trim() === "" ? undefined : raw),
    z.coerce.number().min(0).max(1).default(0.01),
  ),
  /** How long a console session lasts after sign-in (console/session.ts): 8 hours unless set. */
  CONSOLE_SESSION_TTL_SECONDS: positiveInt(8 * 60 * 60),
  /**
   * A tenant's URL from its hostname (`{host}` stands for it): versions' preview URLs are shown
   * so. HTTPS in production; `npm run dev` sets the dispatcher's local origin.
   */
  TENANT_URL_TEMPLATE: z.preprocess(
    (raw) => (typeof raw === "string" && raw.trim() === "" ? undefined : raw),
    z
      .string()
      .refine(
        (template) => /^https?:\/\/\{host\}(:\d+)?\/$/.test(template),
        "is like https://{host}/ or http://{host}:8787/",
      )
      .default("https://{host}/"),
  ),
});

const ConfigFromVars = Vars.transform((vars) => ({
  cloudflareClient: cloudflareClientConfig(vars),
  platformApiToken: vars.PLATFORM_API_TOKEN,
  consoleSessionTtlSeconds: vars.CONSOLE_SESSION_TTL_SECONDS,
  dispatchNamespace: vars.DISPATCH_NAMESPACE,
  zoneId: vars.CLOUDFLARE_ZONE_ID,
  hostnameChecks: {
    baseMs: vars.CUSTOM_HOSTNAME_CHECK_BASE_MS,
    maxMs: vars.CUSTOM_HOSTNAME_CHECK_MAX_MS,
    maxAttempts: vars.CUSTOM_HOSTNAME_CHECK_MAX_ATTEMPTS,
  },
  tenantCompatibilityDate: vars.TENANT_COMPATIBILITY_DATE,
  retry: {
    maxAttempts: vars.OPERATION_MAX_ATTEMPTS,
    baseMs: vars.OPERATION_RETRY_BASE_MS,
    maxMs: vars.OPERATION_RETRY_MAX_MS,
  },
  scriptCheckWaitMs: vars.SCRIPT_CHECK_WAIT_MS,
  changesAtOnce: vars.CHANGES_AT_ONCE,
  scriptCheckReuseMs: vars.SCRIPT_CHECK_REUSE_SECONDS * 1000,
  metricsDataset: vars.METRICS_DATASET,
  /** The client the metering is read with: the API client's settings, with the analytics token when there is one. */
  metricsClient: {
    ...cloudflareClientConfig(vars),
    apiToken: vars.CLOUDFLARE_ANALYTICS_API_TOKEN || vars.CLOUDFLARE_API_TOKEN,
  } satisfies CloudflareClientConfig,
  canary: { observationMs: vars.ROLLOUT_OBSERVATION_MS, errorRateTolerance: vars.ROLLOUT_ERROR_RATE_TOLERANCE },
  platformDomain: vars.PLATFORM_DOMAIN,
  platformHosts: vars.PLATFORM_HOSTS,
  tenantUrl: (hostname: string) => vars.TENANT_URL_TEMPLATE.replace("{host}", hostname),
}));
/** The control plane's configuration: every var checked once, so a wrong one fails loudly rather than half way through an operation. */
export type Config = z.output<typeof ConfigFromVars>;

/** The control plane's configuration from its env, parsed once per env; throws, naming each wrong var. */
export const configOf: (env: object) => Config = settingsParser("control plane", ConfigFromVars);

/**
 * The Cloudflare API client's configuration alone, for a Worker that sets
 * only the client's vars (the client's tests); parsed once per env.
 */
export const cloudflareClientConfigOf: (env: object) => CloudflareClientConfig = settingsParser(
  "Cloudflare API client",
  CloudflareApiVars.transform(cloudflareClientConfig),
);
