import { afterEach, describe, expect, it } from "vitest";
import { acct, call, json } from "./helpers";

type CallCounts = {
  since: number;
  calls: number;
  rateLimited: number;
  peakSecond: { at: number; calls: number } | null;
};

const counts = async (): Promise<CallCounts> =>
  ((await (await call("/__emulator/calls")).json()) as { result: CallCounts }).result;
const reset = () => call("/__emulator/calls", { method: "DELETE" });
const setRateLimit = (config: { enabled: boolean; requests: number; windowSeconds: number }) =>
  call("/__emulator/rate-limit", json("PUT", config));

afterEach(async () => {
  await setRateLimit({ enabled: false, requests: 1200, windowSeconds: 300 });
});

describe("API call counters", () => {
  it("counts every authenticated API call since the reset, and reports the busiest second", async () => {
    const before = Date.now();
    expect((await reset()).status).toBe(200);
    const fresh = await counts();
    expect(fresh).toMatchObject({ calls: 0, rateLimited: 0, peakSecond: null });
    expect(fresh.since).toBeGreaterThanOrEqual(before);

    for (let i = 0; i < 3; i++) await call(acct("/storage/kv/namespaces"));
    await call(acct("/nothing/here"));
    const after = await counts();
    expect(after.calls).toBe(4);
    expect(after.rateLimited).toBe(0);
    // Four calls within a few milliseconds: one or two one-second buckets.
    expect(after.peakSecond?.calls).toBeGreaterThanOrEqual(2);
    expect(after.peakSecond?.calls).toBeLessThanOrEqual(4);
    expect(after.peakSecond?.at).toBeGreaterThanOrEqual(Math.floor(before / 1000));
  });

  it("does not count refused credentials or its own admin calls", async () => {
    await reset();
    await call(acct("/storage/kv/namespaces"), { token: "not-the-token" });
    await call("/__emulator/faults");
    await call("/__emulator/rate-limit");
    expect((await counts()).calls).toBe(0);
  });

  it("counts the calls the rate limiter answered with 429 among the calls", async () => {
    await reset();
    await setRateLimit({ enabled: true, requests: 2, windowSeconds: 60 });
    const statuses: number[] = [];
    // A path the OpenAPI extract does not cover: its schema has no room for code 971.
    for (let i = 0; i < 5; i++) statuses.push((await call(acct("/nothing"))).status);
    expect(statuses).toEqual([404, 404, 429, 429, 429]);
    expect(await counts()).toMatchObject({ calls: 5, rateLimited: 3 });
  });

  it("hands back the counts it ends when reset", async () => {
    await reset();
    await call(acct("/storage/kv/namespaces"));
    const ended = (await (await reset()).json()) as { result: CallCounts };
    expect(ended.result.calls).toBe(1);
    expect((await counts()).calls).toBe(0);
  });

  it("answers 405 for another method, and 403 without the token", async () => {
    expect((await call("/__emulator/calls", { method: "POST" })).status).toBe(405);
    expect((await call("/__emulator/calls", { token: "not-the-token" })).status).toBe(403);
  });
});
