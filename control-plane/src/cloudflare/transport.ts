import { BaseCustomHostnames } from "cloudflare/resources/custom-hostnames/custom-hostnames";
import { BaseDatabase } from "cloudflare/resources/d1/database/database";
import { BaseNamespaces as KvNamespaces } from "cloudflare/resources/kv/namespaces/namespaces";
import { BaseBuckets } from "cloudflare/resources/r2/buckets/buckets";
import { BaseObjects } from "cloudflare/resources/r2/buckets/objects";
import { BaseNamespaces as DispatchNamespaces } from "cloudflare/resources/workers-for-platforms/dispatch/namespaces/namespaces";
import { BaseAssetUpload } from "cloudflare/resources/workers-for-platforms/dispatch/namespaces/scripts/asset-upload";
import { BaseScripts } from "cloudflare/resources/workers-for-platforms/dispatch/namespaces/scripts/scripts";
import { BaseSecrets } from "cloudflare/resources/workers-for-platforms/dispatch/namespaces/scripts/secrets";
import { BaseTags } from "cloudflare/resources/workers-for-platforms/dispatch/namespaces/scripts/tags";
import { createClient } from "cloudflare/tree-shakable";
import { z } from "zod";
import { ApiMessage } from "../../../cloudflare-api/envelope";
import type { AccountId } from "../../../cloudflare-api/names";
import { type ApiBudgetPort, unlimitedBudget } from "./budget";
import { backgroundPriority, type PrioritySource } from "./call-priority";
import { apiErrorFromAnswer, apiErrorFromText, retryAfterMsOf, toCloudflareApiError } from "./errors";
import { type CallKind, DEFAULT_RETRY_POLICY, type RetryPolicy, sleep, withRetries } from "./retry";

export const DEFAULT_API_BASE_URL = "https://api.cloudflare.com/client/v4";
export const DEFAULT_TIMEOUT_MS = 30_000;

type Fetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface CloudflareApiConfig {
  readonly accountId: AccountId;
  readonly apiToken: string;
  /** `https://api.cloudflare.com/client/v4`, or the emulator's `/client/v4`. */
  readonly baseUrl?: string;
  /** A request with no answer after this long fails (retryable) rather than blocking its caller. */
  readonly timeoutMs?: number;
  /** How requests are sent: the global fetch unless given (a service binding's fetch, in tests). */
  readonly fetch?: Fetch;
  readonly budget?: ApiBudgetPort;
  /**
   * Where this client's calls stand in the budget's line (call-priority.ts), asked before each
   * attempt: a background call as old as its ask unless given (an operation's age, a request's).
   */
  readonly priority?: PrioritySource;
  readonly retry?: RetryPolicy;
  /** How the client waits before an attempt again (a backoff, a Retry-After): a timer unless given (a test's clock). */
  readonly wait?: (ms: number) => Promise<void>;
}

/** The SDK with only the resources the control plane uses (the tree-shakable entry keeps the bundle small). */
function createSdk(apiToken: string, baseURL: string, fetch: Fetch) {
  return createClient({
    apiToken,
    apiKey: null,
    apiEmail: null,
    userServiceKey: null,
    baseURL,
    fetch,
    // Retries are this client's: the SDK's own would resend creates blindly (409 included).
    maxRetries: 0,
    // The timeout is applied in `fetch` below, for the SDK's calls and the hand-built ones alike.
    timeout: 24 * 60 * 60 * 1000,
    resources: [
      KvNamespaces,
      BaseBuckets,
      BaseObjects,
      BaseDatabase,
      DispatchNamespaces,
      BaseScripts,
      BaseSecrets,
      BaseTags,
      BaseAssetUpload,
      BaseCustomHostnames,
    ],
  });
}
export type CloudflareSdk = ReturnType<typeof createSdk>;

const AnyEnvelope = z.object({
  success: z.boolean(),
  errors: z.array(ApiMessage),
  result: z.unknown(),
});

/** A text parsed as JSON, or null when it is not JSON. */
export function jsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/**
 * One account's Cloudflare API: the SDK for resource calls, `send` for the
 * bodies the project builds itself, and `run` around every call, which maps
 * failures to CloudflareApiError and retries idempotent calls. Every request
 * goes through `fetch` here: it takes a slot from the shared budget first,
 * fails after the timeout, and reports a 429 to the budget.
 */
export class CloudflareApi {
  readonly accountId: AccountId;
  readonly sdk: CloudflareSdk;
  readonly #token: string;
  readonly #baseUrl: string;
  readonly #timeoutMs: number;
  readonly #fetch: Fetch;
  readonly #budget: ApiBudgetPort;
  readonly #priority: PrioritySource;
  readonly #retry: RetryPolicy;
  readonly #wait: (ms: number) => Promise<void>;

  constructor(config: CloudflareApiConfig) {
    this.accountId = config.accountId;
    this.#token = config.apiToken;
    this.#baseUrl = (config.baseUrl ?? DEFAULT_API_BASE_URL).replace(/\/+$/, "");
    this.#timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#fetch = config.fetch ?? ((input, init) => fetch(input, init));
    this.#budget = config.budget ?? unlimitedBudget;
    this.#priority = config.priority ?? backgroundPriority;
    this.#retry = config.retry ?? DEFAULT_RETRY_POLICY;
    this.#wait = config.wait ?? sleep;
    this.sdk = createSdk(this.#token, this.#baseUrl, (input, init) => this.#send(input, init));
  }

  /** Secrets never to appear in an error message. */
  get #secrets(): string[] {
    return [this.#token];
  }

  async #send(input: string | URL | Request, init: RequestInit = {}): Promise<Response> {
    await this.#budget.acquire(this.#priority(), init.signal ?? undefined);
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const response = await this.#fetch(input, { ...init, signal });
    if (response.status === 429) {
      // Everyone waits, not only this caller: the limit is the token's, shared by all.
      await this.#budget.pause(retryAfterMsOf(response.headers) ?? 1000);
    }
    return response;
  }

  /**
   * Runs one API operation: once, or (`idempotent`) again after a retryable
   * failure. Whatever fails comes out as a CloudflareApiError.
   */
  run<T>(operation: string, kind: CallKind, call: () => Promise<T>, secrets: readonly string[] = []): Promise<T> {
    const hidden = [...this.#secrets, ...secrets];
    return withRetries(
      kind,
      this.#retry,
      async () => {
        try {
          return await call();
        } catch (error) {
          throw toCloudflareApiError(operation, error, hidden);
        }
      },
      this.#wait,
    );
  }

  /**
   * A request whose body the project builds (the script upload and settings
   * PATCH: the SDK 7.x sends bodies the API cannot parse there,
   * cloudflare-typescript#2799). `path` is below `/accounts/{account_id}`.
   * Returns the envelope's `result`.
   */
  async request(
    operation: string,
    kind: CallKind,
    method: string,
    path: string,
    body?: () => BodyInit,
    secrets: readonly string[] = [],
  ): Promise<unknown> {
    return this.requestWithToken(this.#token, operation, kind, method, path, body, secrets);
  }

  /**
   * `request` authorised by another bearer token than the API token: the static assets upload
   * takes the upload session's JWT. The token is hidden from errors like the API token.
   */
  async requestWithToken(
    token: string,
    operation: string,
    kind: CallKind,
    method: string,
    path: string,
    body?: () => BodyInit,
    secrets: readonly string[] = [],
  ): Promise<unknown> {
    const hidden = [...this.#secrets, token, ...secrets];
    return this.run(
      operation,
      kind,
      async () => {
        const url = `${this.#baseUrl}/accounts/${this.accountId}${path}`;
        const headers = { authorization: `Bearer ${token}` };
        // A FormData body is built afresh for each attempt: a sent body is spent.
        const response = await this.#send(url, { method, headers, ...(body ? { body: body() } : {}) });
        const parsed = AnyEnvelope.safeParse(await response.json().catch(() => null));
        if (response.ok && parsed.success && parsed.data.success) return parsed.data.result;
        throw apiErrorFromAnswer(
          operation,
          response.status,
          parsed.success ? parsed.data.errors : [],
          response.headers,
          hidden,
        );
      },
      [token, ...secrets],
    );
  }

  /**
   * A request whose answer is not the v4 envelope: the Analytics Engine SQL
   * API takes the query's text and answers ClickHouse's JSON, or its refusal
   * as text. `path` is below `/accounts/{account_id}`. Returns the answer's
   * text; an answer that is not a 2xx is a CloudflareApiError (the envelope's
   * errors when it is one, else the text).
   */
  async requestText(operation: string, kind: CallKind, method: string, path: string, body: string): Promise<string> {
    return this.run(operation, kind, async () => {
      const url = `${this.#baseUrl}/accounts/${this.accountId}${path}`;
      const headers = { authorization: `Bearer ${this.#token}`, "content-type": "text/plain" };
      const response = await this.#send(url, { method, headers, body });
      const text = await response.text();
      if (response.ok) return text;
      const envelope = AnyEnvelope.safeParse(jsonOrNull(text));
      if (envelope.success) {
        throw apiErrorFromAnswer(operation, response.status, envelope.data.errors, response.headers, this.#secrets);
      }
      throw apiErrorFromText(operation, response.status, text, response.headers, this.#secrets);
    });
  }
}
