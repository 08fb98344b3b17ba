import { AccountId } from "../../../cloudflare-api/names";
import { type ApiBudget, budgetRuleFromVars, durableApiBudget, positiveInt } from "./budget";
import { D1Databases } from "./d1";
import { DispatchNamespaces } from "./dispatch-namespaces";
import { KvNamespaces } from "./kv";
import { R2Buckets } from "./r2";
import { Scripts } from "./scripts";
import { CloudflareApi, type CloudflareApiConfig, DEFAULT_API_BASE_URL, DEFAULT_TIMEOUT_MS } from "./transport";

/**
 * The control plane's Cloudflare API client: every call it makes, grouped by
 * product (`client.kv.ensure(title)`). Lookups and deletes are retried on
 * 429/5xx/timeouts; creates are sent once and `ensure` looks up before (and,
 * on "already exists", after) it creates, so a step run again converges
 * instead of creating twice. Deletes of what is not there succeed. `api`
 * (`run`, `request`) is there for a call not covered here.
 */
export class CloudflareClient {
  readonly api: CloudflareApi;
  readonly kv: KvNamespaces;
  readonly r2: R2Buckets;
  readonly d1: D1Databases;
  readonly dispatchNamespaces: DispatchNamespaces;
  readonly scripts: Scripts;

  constructor(config: CloudflareApiConfig | CloudflareApi) {
    this.api = config instanceof CloudflareApi ? config : new CloudflareApi(config);
    this.kv = new KvNamespaces(this.api);
    this.r2 = new R2Buckets(this.api);
    this.d1 = new D1Databases(this.api);
    this.dispatchNamespaces = new DispatchNamespaces(this.api);
    this.scripts = new Scripts(this.api);
  }

  get accountId(): AccountId {
    return this.api.accountId;
  }
}

/** The Worker bindings and vars the client reads. */
export interface CloudflareApiEnv {
  /** Secret. */
  CLOUDFLARE_API_TOKEN: string;
  CLOUDFLARE_ACCOUNT_ID: string;
  /** Defaults to https://api.cloudflare.com/client/v4. */
  CLOUDFLARE_API_BASE_URL?: string;
  /** Default 30000. */
  CLOUDFLARE_API_TIMEOUT_MS?: string;
  /** Default 1200 (per window). */
  CLOUDFLARE_API_RATE_LIMIT?: string;
  /** Default 300. */
  CLOUDFLARE_API_RATE_WINDOW_SECONDS?: string;
  /** The shared request budget (class ApiBudget). */
  API_BUDGET: DurableObjectNamespace<ApiBudget>;
  /** When bound, requests go through this service (the emulator, locally) instead of the Internet. */
  CLOUDFLARE_API?: Fetcher;
}

export function cloudflareClientFromEnv(env: CloudflareApiEnv): CloudflareClient {
  const accountId = AccountId.safeParse(env.CLOUDFLARE_ACCOUNT_ID);
  if (!accountId.success) throw new Error("CLOUDFLARE_ACCOUNT_ID must be a 32-character hex account id");
  if (env.CLOUDFLARE_API_TOKEN === undefined || env.CLOUDFLARE_API_TOKEN === "") {
    throw new Error("CLOUDFLARE_API_TOKEN is not set");
  }
  const service = env.CLOUDFLARE_API;
  return new CloudflareClient({
    accountId: accountId.data,
    apiToken: env.CLOUDFLARE_API_TOKEN,
    baseUrl: env.CLOUDFLARE_API_BASE_URL || DEFAULT_API_BASE_URL,
    timeoutMs: positiveInt(env.CLOUDFLARE_API_TIMEOUT_MS, DEFAULT_TIMEOUT_MS, "CLOUDFLARE_API_TIMEOUT_MS"),
    budget: durableApiBudget(env.API_BUDGET, budgetRuleFromVars(env)),
    ...(service === undefined ? {} : { fetch: (input, init) => service.fetch(input, init) }),
  });
}
