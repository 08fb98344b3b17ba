import { afterEach, describe, expect, it } from "vitest";
import { CloudflareApiError } from "../../src/cloudflare/errors";
import { admin, addFault, faultHits, freshAccount, type RequestLog, rejectionOf, testClient, unique } from "./support";

/**
 * Failures injected into the gated emulator (its own Gate, so these tests
 * cannot disturb others). Each client works in an account of its own, and
 * each fault's path names that account.
 */
afterEach(async () => {
  await admin("gated", "/faults", { method: "DELETE" });
  await admin("gated", "/rate-limit", {
    method: "PUT",
    body: { enabled: false, requests: 1200, windowSeconds: 300 },
  });
});

const serverError = { kind: "fail", status: 500, code: 10002, message: "Injected failure" };

const creates = [
  {
    kind: "KV namespace",
    path: "/storage/kv/namespaces",
    ensure: (api: ReturnType<typeof testClient>, name: string) => api.ensureKvNamespace(name),
    count: async (api: ReturnType<typeof testClient>, name: string) =>
      (await api.findKvNamespace(name)) === null ? 0 : 1,
  },
  {
    kind: "R2 bucket",
    path: "/r2/buckets",
    ensure: (api: ReturnType<typeof testClient>, name: string) => api.ensureR2Bucket(name),
    count: async (api: ReturnType<typeof testClient>, name: string) => ((await api.findR2Bucket(name)) === null ? 0 : 1),
  },
  {
    kind: "D1 database",
    path: "/d1/database",
    ensure: (api: ReturnType<typeof testClient>, name: string) => api.ensureD1Database(name),
    count: async (api: ReturnType<typeof testClient>, name: string) => {
      const listed = await api.api.sdk.d1.database.list({ account_id: api.accountId, name });
      return listed.result.filter((d) => d.name === name).length;
    },
  },
] as const;

describe("creates are never sent twice blindly", () => {
  for (const create of creates) {
    it(`a ${create.kind} create answered 5xx is sent once and fails; ensure run again converges on one`, async () => {
      const accountId = freshAccount();
      const log: RequestLog = [];
      const api = testClient({ emulator: "gated", accountId, log });
      const name = unique("t-res");
      // Two failures armed: a retry would spend the second.
      const fault = await addFault({ method: "POST", path: `/accounts/${accountId}${create.path}`, times: 2, action: serverError });
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
    // The bucket is made behind the client's back, and its lookup fails once: ensure then creates, gets 409, and is done.
    await api.api.sdk.r2.buckets.create({ account_id: accountId, name });
    await addFault({
      method: "GET",
      path: `/accounts/${accountId}/r2/buckets/${name}`,
      times: 1,
      action: { kind: "fail", status: 404, code: 10006, message: "The specified bucket does not exist." },
    });
    expect(await api.ensureR2Bucket(name)).toEqual({ name });
  });
});

describe("idempotent calls are retried", () => {
  it("a lookup answered 503 twice is sent again until it succeeds", async () => {
    const accountId = freshAccount();
    const api = testClient({ emulator: "gated", accountId });
    const fault = await addFault({
      method: "GET",
      path: `/accounts/${accountId}/storage/kv/namespaces`,
      times: 2,
      action: { kind: "fail", status: 503, code: 10002, message: "Injected outage" },
    });
    expect(await api.findKvNamespace("t-none-kv")).toBeNull();
    expect(await faultHits(fault)).toBe(2);
  });

  it("gives up after the policy's attempts with the last error", async () => {
    const accountId = freshAccount();
    const api = testClient({ emulator: "gated", accountId, retry: { attempts: 3, baseDelayMs: 1, maxDelayMs: 5 } });
    const fault = await addFault({
      method: "GET",
      path: `/accounts/${accountId}/r2/buckets/*`,
      times: 10,
      action: serverError,
    });
    const error = (await rejectionOf(api.findR2Bucket("t-acme-r2"))) as CloudflareApiError;
    expect(error.status).toBe(500);
    expect(error.isRetryable).toBe(true);
    expect(await faultHits(fault)).toBe(3);
  });

  it("a call with no answer fails after the timeout (retryable) instead of hanging, and its retry succeeds", async () => {
    const accountId = freshAccount();
    const api = testClient({ emulator: "gated", accountId, timeoutMs: 300 });
    const fault = await addFault({
      method: "GET",
      path: `/accounts/${accountId}/r2/buckets/*`,
      times: 1,
      action: { kind: "hang", ms: 10_000 },
    });
    expect(await api.findR2Bucket("t-acme-r2")).toBeNull();
    expect(await faultHits(fault)).toBe(1);
  });

  it("a create with no answer is not sent again: it fails as retryable with no status", async () => {
    const accountId = freshAccount();
    const api = testClient({ emulator: "gated", accountId, timeoutMs: 300 });
    const fault = await addFault({
      method: "POST",
      path: `/accounts/${accountId}/d1/database`,
      times: 2,
      action: { kind: "hang", ms: 10_000 },
    });
    const error = (await rejectionOf(api.ensureD1Database(unique("t-d1")))) as CloudflareApiError;
    expect(error).toBeInstanceOf(CloudflareApiError);
    expect(error.status).toBeNull();
    expect(error.isRetryable).toBe(true);
    expect(await faultHits(fault)).toBe(1);
  });
});

describe("429 and Retry-After", () => {
  it("waits out Retry-After and then succeeds", async () => {
    const accountId = freshAccount();
    const api = testClient({ emulator: "gated", accountId });
    const fault = await addFault({
      method: "GET",
      path: `/accounts/${accountId}/storage/kv/namespaces`,
      times: 1,
      action: { kind: "fail", status: 429, code: 971, message: "rate limited", retryAfter: 1 },
    });
    const started = Date.now();
    expect(await api.findKvNamespace("t-none-kv")).toBeNull();
    // At least the second Retry-After asked for (a lower bound only).
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(await faultHits(fault)).toBe(1);
  });

  it("gets through the emulator's own rate limiter by waiting, with no call lost", async () => {
    await admin("gated", "/rate-limit", { method: "PUT", body: { enabled: true, requests: 3, windowSeconds: 1 } });
    const log: RequestLog = [];
    const api = testClient({ emulator: "gated", log });
    const names = Array.from({ length: 5 }, () => unique("t-r2"));
    for (const name of names) expect(await api.findR2Bucket(name)).toBeNull();
    // Five lookups, and at least one was refused with 429 and sent again.
    expect(log.length).toBeGreaterThan(names.length);
  });
});
