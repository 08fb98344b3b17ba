import type { AccountId, ZoneId } from "../../../cloudflare-api/names";
import { type CloudflareClientConfig, cloudflareClientConfigOf } from "../config";
import { AnalyticsEngine } from "./analytics";
import { AssetUploads } from "./assets";
import { type ApiBudget, durableApiBudget } from "./budget";
import type { PrioritySource } from "./call-priority";
import { CustomHostnames } from "./custom-hostnames";
import { D1Databases } from "./d1";
import { DispatchNamespaces } from "./dispatch-namespaces";
import { KvNamespaces } from "./kv";
import { R2Buckets } from "./r2";
import { Scripts } from "./scripts";
import { CloudflareApi, type CloudflareApiConfig } from "./transport";
import { ScriptVersions } from "./versions";

/**
 * The control plane's Cloudflare API client: every call it makes, grouped by
 * product (`client.kv.ensure(title)`). Lookups and deletes are retried on
 * 429/5xx/timeouts; creates are sent once, and `ensure` takes the create's
 * "already exists" as the lookup (a tenant's KV, R2, D1) or looks up first
 * (find-or-create.ts), so a step run again converges instead of creating twice. Deletes of what is not there succeed. `api`
 * (`run`, `request`) is there for a call not covered here.
 */
export class CloudflareClient {
  readonly api: CloudflareApi;
  readonly kv: KvNamespaces;
  readonly r2: R2Buckets;
  readonly d1: D1Databases;
  readonly dispatchNamespaces: DispatchNamespaces;
  readonly scripts: Scripts;
  /** Versions and deployments of the namespace's scripts. */
  readonly versions: ScriptVersions;
  readonly analytics: AnalyticsEngine;
  /** Static assets' upload sessions and uploads. */
  readonly assets: AssetUploads;

  constructor(config: CloudflareApiConfig | CloudflareApi) {
    this.api = config instanceof CloudflareApi ? config : new CloudflareApi(config);
    this.kv = new KvNamespaces(this.api);
    this.r2 = new R2Buckets(this.api);
    this.d1 = new D1Databases(this.api);
    this.dispatchNamespaces = new DispatchNamespaces(this.api);
    this.scripts = new Scripts(this.api);
    this.versions = new ScriptVersions(this.api);
    this.analytics = new AnalyticsEngine(this.api);
    this.assets = new AssetUploads(this.api);
  }

  /** Cloudflare for SaaS custom hostnames on `zoneId` (a zone's, not the account's, resource). */
  customHostnames(zoneId: ZoneId): CustomHostnames {
    return new CustomHostnames(this.api, zoneId);
  }

  get accountId(): AccountId {
    return this.api.accountId;
  }
}

/** The Worker bindings the client uses; its vars and secret are config.ts's `CloudflareClientConfig`. */
export interface CloudflareApiBindings {
  /** The shared request budget (class ApiBudget). */
  API_BUDGET: DurableObjectNamespace<ApiBudget>;
  /** When bound, requests go through this service (the emulator, locally) instead of the Internet. */
  CLOUDFLARE_API?: Fetcher;
}

/**
 * The client a Worker's bindings and configuration make; the configuration is
 * parsed from `env` (the client's vars alone) unless given. `priority`: where
 * its calls stand in the shared budget's line (call-priority.ts; background
 * calls as old as their ask unless given).
 */
export function cloudflareClientFromEnv(
  env: CloudflareApiBindings,
  config: CloudflareClientConfig = cloudflareClientConfigOf(env),
  priority?: PrioritySource,
): CloudflareClient {
  const service = env.CLOUDFLARE_API;
  return new CloudflareClient({
    accountId: config.accountId,
    apiToken: config.apiToken,
    baseUrl: config.baseUrl,
    timeoutMs: config.timeoutMs,
    budget: durableApiBudget(env.API_BUDGET, config.budget),
    ...(priority === undefined ? {} : { priority }),
    ...(service === undefined ? {} : { fetch: (input, init) => service.fetch(input, init) }),
  });
}
