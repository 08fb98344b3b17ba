import { AccountId } from "../../../cloudflare-api/names";
import { type ApiBudget, budgetRuleFromVars, durableApiBudget, positiveInt } from "./budget";
import { type D1QueryInput, deleteD1Database, ensureD1Database, findD1Database, queryD1 } from "./d1";
import { ensureDispatchNamespace, findDispatchNamespace } from "./dispatch-namespaces";
import { deleteKvNamespace, ensureKvNamespace, findKvNamespace } from "./kv";
import { deleteR2Bucket, emptyR2Bucket, ensureR2Bucket, findR2Bucket } from "./r2";
import type { ScriptSettingsInput, ScriptUpload } from "./script-upload";
import {
  deleteScript,
  deleteScriptSecret,
  getScript,
  patchScriptSettings,
  putScriptSecret,
  putScriptTags,
  uploadScript,
} from "./scripts";
import { CloudflareApi, type CloudflareApiConfig, DEFAULT_API_BASE_URL, DEFAULT_TIMEOUT_MS } from "./transport";

/**
 * The control plane's Cloudflare API client: every call it makes, one method
 * each. Lookups and deletes are retried on 429/5xx/timeouts; creates are sent
 * once and `ensure*` looks up before (and, on "already exists", after) it
 * creates, so a step run again converges instead of creating twice. Deletes
 * of what is not there succeed. `run`/`request` are there for a call not
 * covered here.
 */
export class CloudflareClient {
  readonly api: CloudflareApi;

  constructor(config: CloudflareApiConfig | CloudflareApi) {
    this.api = config instanceof CloudflareApi ? config : new CloudflareApi(config);
  }

  get accountId(): AccountId {
    return this.api.accountId;
  }

  // Workers KV.
  findKvNamespace = (title: string) => findKvNamespace(this.api, title);
  ensureKvNamespace = (title: string) => ensureKvNamespace(this.api, title);
  deleteKvNamespace = (id: string) => deleteKvNamespace(this.api, id);

  // R2.
  findR2Bucket = (name: string) => findR2Bucket(this.api, name);
  ensureR2Bucket = (name: string) => ensureR2Bucket(this.api, name);
  emptyR2Bucket = (name: string, pageSize?: number) => emptyR2Bucket(this.api, name, pageSize);
  deleteR2Bucket = (name: string) => deleteR2Bucket(this.api, name);

  // D1.
  findD1Database = (name: string) => findD1Database(this.api, name);
  ensureD1Database = (name: string) => ensureD1Database(this.api, name);
  deleteD1Database = (uuid: string) => deleteD1Database(this.api, uuid);
  queryD1 = (uuid: string, query: D1QueryInput) => queryD1(this.api, uuid, query);

  // Workers for Platforms.
  findDispatchNamespace = (name: string) => findDispatchNamespace(this.api, name);
  ensureDispatchNamespace = (name: string) => ensureDispatchNamespace(this.api, name);
  uploadScript = (namespace: string, script: string, upload: ScriptUpload) =>
    uploadScript(this.api, namespace, script, upload);
  patchScriptSettings = (namespace: string, script: string, settings: ScriptSettingsInput) =>
    patchScriptSettings(this.api, namespace, script, settings);
  putScriptTags = (namespace: string, script: string, tags: string[]) =>
    putScriptTags(this.api, namespace, script, tags);
  putScriptSecret = (namespace: string, script: string, name: string, text: string) =>
    putScriptSecret(this.api, namespace, script, name, text);
  deleteScriptSecret = (namespace: string, script: string, name: string) =>
    deleteScriptSecret(this.api, namespace, script, name);
  getScript = (namespace: string, script: string) => getScript(this.api, namespace, script);
  deleteScript = (namespace: string, script: string) => deleteScript(this.api, namespace, script);

  // Anything else.
  run: CloudflareApi["run"] = (...args) => this.api.run(...args);
  request: CloudflareApi["request"] = (...args) => this.api.request(...args);
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
