import { z } from "zod";
import { COMPATIBILITY_DATE } from "../../platform/compatibility-date.ts";
import {
  type CreateRolloutRequest,
  type CreateTenantRequest,
  RolloutView,
  type ScriptSource,
  TenantList,
  type TenantState,
  TenantView,
} from "../../platform/tenants-api.ts";
import { emulatorApiToken, platformApiToken } from "../../scripts/lib/platform.ts";
import { getText } from "../shared/load.ts";
import { TENANT_MAIN_MODULE, tenantSource } from "../shared/tenant-script.ts";

export type Tenant = TenantView;

/** A request that takes this long is a failure. */
const REQUEST_TIMEOUT_MS = 300_000;

/** The tenants' D1 migrations: the onboarding applies them, a rollout of the same ones applies none. */
const MIGRATIONS = { "0001_create_notes.sql": "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);" };

/** A script answering `answer`, with the tenants' migrations. */
export function benchScript(answer: string): ScriptSource {
  return {
    mainModule: TENANT_MAIN_MODULE,
    modules: { [TENANT_MAIN_MODULE]: tenantSource(answer) },
    compatibilityDate: COMPATIBILITY_DATE,
    migrations: MIGRATIONS,
  };
}

/**
 * What code the tenants of a run get: `own`, each its own script (it answers
 * its id); `shared`, one bundle for all, as tenants onboarded from a
 * platform's template are (the script answers the id from its vars).
 */
export type TenantCode = "own" | "shared";

/** The bundle every tenant of a `shared` run gets: it answers its tenant's ANSWER var. */
const SHARED_SCRIPT: ScriptSource = {
  mainModule: TENANT_MAIN_MODULE,
  modules: {
    [TENANT_MAIN_MODULE]: `export default {
  async fetch(request, env) {
    return new Response(env.ANSWER, { headers: { "content-type": "text/plain" } });
  },
};
`,
  },
  compatibilityDate: COMPATIBILITY_DATE,
  migrations: MIGRATIONS,
};

/** The tenant every onboarding creates: a small script answering its own id, with KV, R2 and a migrated D1. */
export function tenantRequest(id: string, code: TenantCode = "own"): z.input<typeof CreateTenantRequest> {
  const resources = { kv: true, r2: true, d1: true };
  return code === "own"
    ? { id, plan: "pro", resources, script: benchScript(id) }
    : { id, plan: "pro", resources, script: SHARED_SCRIPT, vars: { ANSWER: id } };
}

/** The control plane's operators' API (`/v1`), as the CLI calls it. */
export class ControlPlane {
  readonly #url: string;
  readonly #headers = { authorization: `Bearer ${platformApiToken()}`, "content-type": "application/json" };

  constructor(url: string) {
    this.#url = url;
  }

  async #call(method: string, path: string, body?: unknown): Promise<{ status: number; json: unknown }> {
    const res = await fetch(`${this.#url}${path}`, {
      method,
      headers: this.#headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    try {
      return { status: res.status, json: JSON.parse(text) };
    } catch {
      return { status: res.status, json: text.slice(0, 300) };
    }
  }

  /** POST /v1/tenants (`tenantRequest(id)` unless another body is given): resolves with null once it is accepted (202), else with why not. */
  async create(id: string, request: z.input<typeof CreateTenantRequest> = tenantRequest(id)): Promise<string | null> {
    const { status, json } = await this.#call("POST", "/v1/tenants", request);
    return status === 202 ? null : `POST /v1/tenants (${id}): HTTP ${status} ${JSON.stringify(json).slice(0, 300)}`;
  }

  async get(id: string): Promise<Tenant> {
    const { status, json } = await this.#call("GET", `/v1/tenants/${id}`);
    if (status !== 200) throw new Error(`GET /v1/tenants/${id}: HTTP ${status} ${JSON.stringify(json).slice(0, 300)}`);
    return TenantView.parse(json);
  }

  /** POST /v1/rollouts: the rollout as accepted (202). */
  async startRollout(request: CreateRolloutRequest): Promise<RolloutView> {
    const { status, json } = await this.#call("POST", "/v1/rollouts", request);
    if (status !== 202) throw new Error(`POST /v1/rollouts: HTTP ${status} ${JSON.stringify(json).slice(0, 300)}`);
    return RolloutView.parse(json);
  }

  async getRollout(id: string): Promise<RolloutView> {
    const { status, json } = await this.#call("GET", `/v1/rollouts/${id}`);
    if (status !== 200) throw new Error(`GET /v1/rollouts/${id}: HTTP ${status} ${JSON.stringify(json).slice(0, 300)}`);
    return RolloutView.parse(json);
  }

  /** One page of GET /v1/tenants (100 tenants, or `limit`; in `state` only if given), after `cursor` (null: the first). */
  async page(cursor: string | null, filter: { state?: TenantState; limit?: number } = {}): Promise<TenantList> {
    const query = new URLSearchParams({ limit: String(filter.limit ?? 100) });
    if (filter.state !== undefined) query.set("state", filter.state);
    if (cursor !== null) query.set("cursor", cursor);
    const { status, json } = await this.#call("GET", `/v1/tenants?${query}`);
    if (status !== 200) throw new Error(`GET /v1/tenants: HTTP ${status} ${JSON.stringify(json).slice(0, 300)}`);
    return TenantList.parse(json);
  }

  /** Every tenant, page by page. */
  async list(): Promise<Tenant[]> {
    const tenants: Tenant[] = [];
    let cursor: string | null = null;
    do {
      const page: TenantList = await this.page(cursor);
      tenants.push(...page.tenants);
      cursor = page.cursor;
    } while (cursor !== null);
    return tenants;
  }
}

const CallCounts = z.object({
  since: z.number(),
  calls: z.number(),
  rateLimited: z.number(),
  peakSecond: z.object({ at: z.number(), calls: z.number() }).nullable(),
});
export type CallCounts = z.infer<typeof CallCounts>;

export type RateLimit = { enabled: boolean; requests: number; windowSeconds: number };

/** The emulator's admin endpoints: its counts of the API calls it received, and its rate limiter. */
export class EmulatorAdmin {
  readonly #url: string;
  readonly #token = emulatorApiToken();

  constructor(url: string) {
    this.#url = url;
  }

  async #call(method: string, path: string, body?: unknown): Promise<unknown> {
    const res = await fetch(`${this.#url}/__emulator${path}`, {
      method,
      headers: { authorization: `Bearer ${this.#token}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const envelope = (await res.json()) as { success: boolean; result: unknown };
    if (!res.ok || !envelope.success) throw new Error(`${method} /__emulator${path}: HTTP ${res.status}`);
    return envelope.result;
  }

  async callCounts(): Promise<CallCounts> {
    return CallCounts.parse(await this.#call("GET", "/calls"));
  }

  async resetCallCounts(): Promise<void> {
    await this.#call("DELETE", "/calls");
  }

  async setRateLimit(limit: RateLimit): Promise<void> {
    await this.#call("PUT", "/rate-limit", limit);
  }
}

/**
 * GET / of a tenant's hostname through the dispatcher: the request goes to
 * the dispatcher's loopback address with `Host: <hostname>`, as a browser's
 * would once the name resolves there. Resolves with the status and body.
 */
export function getThroughDispatcher(
  dispatcherUrl: string,
  hostname: string,
): Promise<{ status: number; body: string }> {
  const url = new URL("/", dispatcherUrl);
  return getText(url, { headers: { host: `${hostname}:${url.port}` }, signal: AbortSignal.timeout(30_000) });
}
