import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import { COMPATIBILITY_DATE } from "../../../platform/compatibility-date";
import { durableApiBudget } from "../../src/cloudflare/budget";
import { apiErrorFromText, CloudflareApiError } from "../../src/cloudflare/errors";
import type { ScriptUpload } from "../../src/cloudflare/upload-body";
import {
  addFault,
  admin,
  faultHits,
  freshAccount,
  notedWait,
  type RequestLog,
  rejectionOf,
  testClient,
  unique,
} from "./support";

/**
 * Failures injected into the gated emulator, which has a Gate (faults, rate
 * limiter) of its own: no other test file uses it, so turning its rate
 * limiter on or clearing its faults cannot disturb tests running beside these.
 */
afterEach(async () => {
  await admin("gated", "/faults", { method: "DELETE" });
  await admin("gated", "/rate-limit", {
    method: "PUT",
    body: { enabled: false, requests: 1200, windowSeconds: 300 },
  });
});

const HELLO: ScriptUpload = {
  mainModule: "index.js",
  modules: { "index.js": 'export default { fetch: () => new Response("hello") };' },
  compatibilityDate: COMPATIBILITY_DATE,
  bindings: [],
  tags: [],
};

const serverError = { kind: "fail", status: 500, code: 10002, message: "Injected failure" };
/** A call held for longer than any client here waits. */
const noAnswer = { kind: "hang", ms: 10_000 };
const rateLimited = { kind: "fail", status: 429, code: 971, message: "rate limited", retryAfter: 1 };

/**
 * A client of an account of its own on the gated emulator (`options` as
 * testClient's), and a fault on that account's calls: `fault.path` is below
 * its `/accounts/<id>`. Resolves with the fault's id for `faultHits`.
 */
async function faultedClient(
  fault: { method: string; path: string; times: number; action: Record<string, unknown> },
  options: Omit<Parameters<typeof testClient>[0], "emulator" | "accountId"> = {},
) {
  const accountId = freshAccount();
  const api = testClient({ ...options, emulator: "gated", accountId });
  return { api, accountId, fault: await addFault({ ...fault, path: `/accounts/${accountId}${fault.path}` }) };
}

const creates = [
  {
    kind: "KV namespace",
    path: "/storage/kv/namespaces",
    ensure: (api: ReturnType<typeof testClient>, name: string) => api.kv.ensure(name),
    count: async (api: ReturnType<typeof testClient>, name: string) => ((await api.kv.find(name)) === null ? 0 : 1),
  },
  {
    kind: "R2 bucket",
    path: "/r2/buckets",
    ensure: (api: ReturnType<typeof testClient>, name: string) => api.r2.ensure(name),
    count: async (api: ReturnType<typeof testClient>, name: string) => ((await api.r2.find(name)) === null ? 0 : 1),
  },
  {
    kind: "D1 database",
    path: "/d1/database",
    ensure: (api: ReturnType<typeof testClient>, name: string) => api.d1.ensure(name),
    count: async (api: ReturnType<typeof testClient>, name: string) => {
      const listed = await api.api.sdk.d1.database.list({ account_id: api.accountId, name });
      return listed.result.filter((d) => d.name === name).length;
    },
  },
] as const;

describe("creates are never sent twice blindly", () => {
  for (const create of creates) {
    it(`a ${create.kind} create answered 5xx is sent once and fails; ensure run again converges on one`, async () => {
      const log: RequestLog = [];
      const name = unique("t-res");
      // Two failures armed: a retry would spend the second.
      const { api, fault } = await faultedClient(
        { method: "POST", path: create.path, times: 2, action: serverError },
        { log },
      );
      const error = await rejectionOf(create.ensure(api, name));
      expect(error).toBeInstanceOf(CloudflareApiError);
      expect((error as CloudflareApiError).status).toBe(500);
      expect(await faultHits(fault)).toBe(1);
      expect(log.filter((line) => line.startsWith("POST "))).toHaveLength(1);
      await admin("gated", "/faults", { method: "DELETE" });
      const first = await create.ensure(api, name);
      expect(await create.ensure(api, name)).toEqual(first);
      expect(await create.count(api, name)).toBe(1);
    });
  }

  it("a create whose answer was lost (the resource exists) converges through 'already exists'", async () => {
    const accountId = freshAccount();
    const api = testClient({ emulator: "gated", accountId });
    const name = unique("t-r2");
    // The bucket is made behind the client's back: ensure creates first, gets "already exists", and is done.
    await api.api.sdk.r2.buckets.create({ account_id: accountId, name });
    expect(await api.r2.ensure(name)).toEqual({ name });
    expect(await api.r2.find(name)).toEqual({ name });
  });
});

describe("idempotent calls are retried", () => {
  it("a lookup answered 503 twice is sent again until it succeeds", async () => {
    const { api, fault } = await faultedClient({
      method: "GET",
      path: "/storage/kv/namespaces",
      times: 2,
      action: { kind: "fail", status: 503, code: 10002, message: "Injected outage" },
    });
    expect(await api.kv.find("t-none-kv")).toBeNull();
    expect(await faultHits(fault)).toBe(2);
  });

  it("gives up after the policy's attempts with the last error", async () => {
    const { api, fault } = await faultedClient(
      { method: "GET", path: "/r2/buckets/*", times: 10, action: serverError },
      { retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } },
    );
    const error = (await rejectionOf(api.r2.find("t-acme-r2"))) as CloudflareApiError;
    expect(error.status).toBe(500);
    expect(error.isRetryable).toBe(true);
    expect(await faultHits(fault)).toBe(3);
  });

  it("a call with no answer fails after the timeout (retryable) instead of hanging, and its retry succeeds", async () => {
    const { api, fault } = await faultedClient(
      { method: "GET", path: "/r2/buckets/*", times: 1, action: noAnswer },
      { timeoutMs: 300 },
    );
    expect(await api.r2.find("t-acme-r2")).toBeNull();
    expect(await faultHits(fault)).toBe(1);
  });

  it("a create with no answer is not sent again: it fails as retryable with no status", async () => {
    const { api, fault } = await faultedClient(
      { method: "POST", path: "/d1/database", times: 2, action: noAnswer },
      { timeoutMs: 300 },
    );
    const error = (await rejectionOf(api.d1.ensure(unique("t-d1")))) as CloudflareApiError;
    expect(error).toBeInstanceOf(CloudflareApiError);
    expect(error.status).toBeNull();
    expect(error.isRetryable).toBe(true);
    expect(await faultHits(fault)).toBe(1);
  });
});

describe("429 and Retry-After", () => {
  // The client's waits are noted in its request log instead of slept (notedWait): what is checked is how
  // long it asked to wait and where, not how long anything took on the machine.
  /** A client whose first `method` call to the KV namespaces is answered 429 with Retry-After: 1; `log` notes its calls and waits. */
  async function kvRateLimitedOnce(method: string) {
    const log: RequestLog = [];
    const faulted = await faultedClient(
      { method, path: "/storage/kv/namespaces", times: 1, action: rateLimited },
      { log, wait: notedWait(log) },
    );
    return { ...faulted, log };
  }

  it("waits out Retry-After and then succeeds", async () => {
    const { api, accountId, fault, log } = await kvRateLimitedOnce("GET");
    expect(await api.kv.find("t-none-kv")).toBeNull();
    // The lookup, the whole Retry-After (the policy's own backoff is shorter), and only then the lookup again.
    const lookup = `GET /accounts/${accountId}/storage/kv/namespaces`;
    expect(log).toEqual([lookup, "wait 1000", lookup]);
    expect(await faultHits(fault)).toBe(1);
  });

  it("a create answered 429 is sent again once Retry-After has passed (the API did nothing with it)", async () => {
    const name = unique("t-res");
    const { api, accountId, fault, log } = await kvRateLimitedOnce("POST");
    const created = await api.kv.ensure(name);
    expect(await faultHits(fault)).toBe(1);
    const create = `POST /accounts/${accountId}/storage/kv/namespaces`;
    expect(log.filter((line) => line.startsWith("POST ") || line.startsWith("wait "))).toEqual([
      create,
      "wait 1000",
      create,
    ]);
    expect(await api.kv.find(name)).toEqual(created);
  });

  it("gets through the emulator's own rate limiter by waiting, with no call lost", async () => {
    // Three calls per 300 s: the fourth is refused for a whole window, however slowly the machine runs.
    const limit = { enabled: true, requests: 3, windowSeconds: 300 };
    await admin("gated", "/rate-limit", { method: "PUT", body: limit });
    const log: RequestLog = [];
    // While the client waits, the window passes: setting the limiter again starts it afresh.
    const wait = notedWait(log, () => admin("gated", "/rate-limit", { method: "PUT", body: limit }));
    const api = testClient({ emulator: "gated", log, wait });
    const names = Array.from({ length: 5 }, () => unique("t-r2"));
    for (const name of names) expect(await api.r2.find(name)).toBeNull();
    // The fourth lookup was refused, the client waited the whole Retry-After (the window, 300 s), sent it
    // again, and went on: every lookup answered, none sent before its wait was over.
    const lookup = (name: string) => `GET /accounts/${api.accountId}/r2/buckets/${name}`;
    const [a, b, c, d, e] = names as [string, string, string, string, string];
    expect(log).toEqual([lookup(a), lookup(b), lookup(c), lookup(d), "wait 300000", lookup(d), lookup(e)]);
  });

  it("one caller's 429 makes another caller of the same budget wait", async () => {
    const name = crypto.randomUUID();
    const shared = durableApiBudget(env.API_BUDGET, { limit: 1000, windowMs: 60_000 }, name);
    // The first caller reports its 429 to the shared budget, and neither it nor its retry sleeps: the pause
    // (Retry-After: 300) is long past anything the machine's load could make the test take.
    const budget = { acquire: async () => {}, pause: (ms: number) => shared.pause(ms) };
    const accountId = freshAccount();
    const first = testClient({ emulator: "gated", accountId, budget, wait: notedWait([]) });
    const fault = await addFault({
      method: "GET",
      path: `/accounts/${accountId}/storage/kv/namespaces`,
      times: 1,
      action: { ...rateLimited, retryAfter: 300 },
    });
    expect(await first.kv.find("t-none-kv")).toBeNull();
    expect(await faultHits(fault)).toBe(1);
    // The other caller shares nothing with the first but the budget, which is paused now: no slot until the
    // pause's end, 300 s after the 429 (less the seconds this test has run), where the budget's own rule
    // (1,000 a minute, one slot taken) would have let it go at once, and whatever the caller's priority.
    const stub = env.API_BUDGET.get(env.API_BUDGET.idFromName(name));
    const pausedFor = await stub.pausedFor();
    expect(pausedFor).toBeGreaterThan(200_000);
    expect(pausedFor).toBeLessThanOrEqual(300_000);
    const ask = { ticket: crypto.randomUUID(), maxWaitMs: 100 };
    expect(await stub.acquire({ limit: 1000, windowMs: 60_000 }, { class: "request", since: 0 }, ask)).toEqual({
      granted: false,
    });
  });
});

describe("secrets stay out of error messages", () => {
  it("an answer that quotes the token or a secret's value has them blanked out", async () => {
    const api = testClient({ emulator: "gated" });
    const namespace = unique("ns");
    await api.dispatchNamespaces.ensure(namespace);
    await api.scripts.upload(namespace, "acme", HELLO);
    const value = "s3cret-value-42";
    const fault = await addFault({
      method: "PUT",
      path: `/accounts/${api.accountId}/workers/dispatch/namespaces/${namespace}/scripts/acme/secrets`,
      times: 1,
      action: { kind: "fail", status: 400, code: 10021, message: `bad ${value} with ${env.CLOUDFLARE_API_TOKEN}` },
    });
    const error = (await rejectionOf(api.scripts.putSecret(namespace, "acme", "API_KEY", value))) as CloudflareApiError;
    const shown = `${error.message} ${JSON.stringify(error.errors)} ${error.stack ?? ""}`;
    expect(shown).not.toContain(value);
    expect(shown).not.toContain(env.CLOUDFLARE_API_TOKEN);
    expect(error.apiMessage).toBe("bad [redacted] with [redacted]");
    expect(await faultHits(fault)).toBe(1);
  });

  it("an answer cut short keeps no part of a secret the cut went through", () => {
    const secret = "0123456789abcdefghijklmnopqrstuvwxyz";
    for (let start = 480; start <= 500; start += 5) {
      const error = apiErrorFromText("query", 400, `${"x".repeat(start)}${secret} tail`, undefined, [secret]);
      const shown = `${error.message} ${JSON.stringify(error.errors)}`;
      expect(shown, `at ${start}`).not.toContain(secret.slice(0, 8));
    }
  });
});
