import { z } from "zod";
import { AccountId, ScriptName } from "../../cloudflare-api/names";
import { PlatformHostsVars } from "../../platform/platform-hosts";

/** The control plane's bindings (wrangler.toml; wrangler.local.toml for the emulator). */
export interface Env {
  DB: D1Database;
  /** The dispatcher's routing table. Locally the dispatcher's RoutesTable entrypoint, with the calls used here. */
  ROUTES: Pick<KVNamespace, "get" | "put" | "delete">;
  SCRIPTS: R2Bucket;
  TENANT_OPERATIONS: DurableObjectNamespace<import("./operations/tenant-operations").TenantOperations>;
  ROLLOUTS: DurableObjectNamespace<import("./rollouts/rollout").Rollout>;
  API_BUDGET: DurableObjectNamespace<import("./cloudflare/budget").ApiBudget>;
  /** Locally: the emulator, which Cloudflare API calls go through instead of the Internet. */
  CLOUDFLARE_API?: Fetcher;
  CLOUDFLARE_ACCOUNT_ID: string;
  CLOUDFLARE_API_BASE_URL: string;
  CLOUDFLARE_API_TOKEN: string;
  CLOUDFLARE_API_RATE_LIMIT: string;
  CLOUDFLARE_API_RATE_WINDOW_SECONDS: string;
  CLOUDFLARE_API_TIMEOUT_MS: string;
  PLATFORM_API_TOKEN: string;
  DISPATCH_NAMESPACE: string;
  PLATFORM_DOMAIN: string;
  PLATFORM_HOSTS: string;
  TENANT_COMPATIBILITY_DATE: string;
  OPERATION_MAX_ATTEMPTS: string;
  OPERATION_RETRY_BASE_MS: string;
  OPERATION_RETRY_MAX_MS: string;
  SCRIPT_CHECK_WAIT_MS: string;
}

const Count = z.coerce.number().int().min(1);
const Millis = z.coerce.number().int().min(0);

/** The vars, checked once: a wrong one fails loudly rather than half way through an operation. */
export const Config = z
  .object({
    CLOUDFLARE_ACCOUNT_ID: AccountId,
    DISPATCH_NAMESPACE: ScriptName,
    TENANT_COMPATIBILITY_DATE: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    OPERATION_MAX_ATTEMPTS: Count.max(100),
    OPERATION_RETRY_BASE_MS: Millis,
    OPERATION_RETRY_MAX_MS: Millis,
    SCRIPT_CHECK_WAIT_MS: Millis,
  })
  .and(PlatformHostsVars)
  .transform((vars) => ({
    accountId: vars.CLOUDFLARE_ACCOUNT_ID,
    dispatchNamespace: vars.DISPATCH_NAMESPACE,
    tenantCompatibilityDate: vars.TENANT_COMPATIBILITY_DATE,
    retry: {
      maxAttempts: vars.OPERATION_MAX_ATTEMPTS,
      baseMs: vars.OPERATION_RETRY_BASE_MS,
      maxMs: vars.OPERATION_RETRY_MAX_MS,
    },
    scriptCheckWaitMs: vars.SCRIPT_CHECK_WAIT_MS,
    platformDomain: vars.PLATFORM_DOMAIN,
    platformHosts: vars.PLATFORM_HOSTS,
  }));
export type Config = z.infer<typeof Config>;

const cache = new WeakMap<Env, Config>();

export function configOf(env: Env): Config {
  let config = cache.get(env);
  if (config === undefined) {
    config = Config.parse(env);
    cache.set(env, config);
  }
  return config;
}
