import { env } from "cloudflare:workers";
import { AccountId } from "../../../cloudflare-api/names";
import { type ApiBudgetPort, unlimitedBudget } from "../../src/cloudflare/budget";
import type { PrioritySource } from "../../src/cloudflare/call-priority";
import { CloudflareClient } from "../../src/cloudflare/client";
import type { RetryPolicy } from "../../src/cloudflare/retry";

export const BASE_URL = "http://emulator.local/client/v4";
const ADMIN_URL = "http://emulator.local/__emulator";

/** A fresh account per call: the emulator keeps accounts apart, so tests cannot see each other's resources. */
export const freshAccount = (): AccountId => AccountId.parse(crypto.randomUUID().replaceAll("-", ""));

export const unique = (prefix: string) => `${prefix}-${crypto.randomUUID().slice(0, 8)}`;

/** Backoff short enough for tests; the behaviour (what is retried, how often) is the production one. */
export const FAST_RETRY: RetryPolicy = { attempts: 4, baseDelayMs: 10, maxDelayMs: 50 };

export type Emulator = "plain" | "gated";
const serviceOf = (emulator: Emulator): Fetcher => (emulator === "plain" ? env.CLOUDFLARE_API : env.GATED_API);

/** Every request the client sends, as `METHOD /path` (below /client/v4, query left off). */
export type RequestLog = string[];

export function testClient(
  options: {
    accountId?: AccountId;
    emulator?: Emulator;
    budget?: ApiBudgetPort;
    /** Where its calls stand in the budget's line; background calls unless given. */
    priority?: PrioritySource;
    retry?: RetryPolicy;
    timeoutMs?: number;
    apiToken?: string;
    log?: RequestLog;
    /** How the client waits before an attempt again; a timer unless given. */
    wait?: (ms: number) => Promise<void>;
  } = {},
): CloudflareClient {
  const service = serviceOf(options.emulator ?? "plain");
  return new CloudflareClient({
    accountId: options.accountId ?? freshAccount(),
    apiToken: options.apiToken ?? env.CLOUDFLARE_API_TOKEN,
    baseUrl: BASE_URL,
    timeoutMs: options.timeoutMs ?? 30_000,
    budget: options.budget ?? unlimitedBudget,
    retry: options.retry ?? FAST_RETRY,
    ...(options.wait === undefined ? {} : { wait: options.wait }),
    ...(options.priority === undefined ? {} : { priority: options.priority }),
    fetch: (input, init) => {
      const url = new URL(input instanceof Request ? input.url : String(input));
      options.log?.push(`${init?.method ?? "GET"} ${url.pathname.replace(/^\/client\/v4/, "")}`);
      return service.fetch(input, init);
    },
  });
}

/**
 * A client's wait that takes no time: it notes `wait <ms>` in `log`, between
 * the requests before and after it, and then runs `meanwhile` (what the test
 * has happen while the client waits) instead of sleeping.
 */
export function notedWait(log: RequestLog, meanwhile: () => Promise<unknown> = async () => {}) {
  return async (ms: number): Promise<void> => {
    log.push(`wait ${ms}`);
    await meanwhile();
  };
}

/** Calls the emulator's own controls (`/__emulator/...`). */
export async function admin(emulator: Emulator, path: string, init: { method?: string; body?: unknown } = {}) {
  const res = await serviceOf(emulator).fetch(`${ADMIN_URL}${path}`, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${env.CLOUDFLARE_API_TOKEN}`, "content-type": "application/json" },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const body = await res.json<{ success: boolean; result: unknown }>();
  if (!res.ok || !body.success) throw new Error(`emulator admin ${path}: ${res.status} ${JSON.stringify(body)}`);
  return body.result;
}

export interface FaultRule {
  id: string;
  hits: number;
  remaining: number;
}

/** Installs a fault on the gated emulator; returns its id (read its hits with `faultHits`). */
export async function addFault(rule: {
  method: string;
  path: string;
  times?: number;
  action: Record<string, unknown>;
}): Promise<string> {
  return ((await admin("gated", "/faults", { method: "POST", body: rule })) as FaultRule).id;
}

export async function faultHits(id: string): Promise<number> {
  const rules = (await admin("gated", "/faults")) as FaultRule[];
  const rule = rules.find((r) => r.id === id);
  if (rule === undefined) throw new Error(`no fault ${id}`);
  return rule.hits;
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to fail");
}
