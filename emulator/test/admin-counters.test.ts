import { env } from "cloudflare:workers";
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
    // How the four fell into seconds depends on the machine's speed; the bucketing itself is checked below.
    expect(after.peakSecond?.calls).toBeGreaterThanOrEqual(1);
    expect(after.peakSecond?.calls).toBeLessThanOrEqual(4);
    expect(after.peakSecond?.at).toBeGreaterThanOrEqual(Math.floor(before / 1000));
  });

  it("reports the busiest one-second bucket, given the calls' times", async () => {
    await reset();
    // The Gate is handed each call's time, so the buckets are known whatever the machine's speed.
    const gate = env.GATE.get(env.GATE.idFromName("gate"));
    for (const at of [5_000_100, 5_000_900, 5_001_000, 5_001_500, 5_001_999, 5_003_000]) {
      await gate.admit("test-token-hash", "GET", "/nothing", at);
    }
    expect(await counts()).toMatchObject({ calls: 6, rateLimited: 0, peakSecond: { at: 5_001, calls: 3 } });
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
