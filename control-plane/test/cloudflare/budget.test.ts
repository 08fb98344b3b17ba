import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type BudgetRule, durableApiBudget } from "../../src/cloudflare/budget";
import { cloudflareClientFromEnv } from "../../src/cloudflare/client";
import { cloudflareClientConfigOf } from "../../src/config";
import { testClient } from "./support";

/** A budget instance of its own per test: the production one is a single shared instance. */
const budgetStub = () => env.API_BUDGET.get(env.API_BUDGET.idFromName(crypto.randomUUID()));

describe("the shared API budget", () => {
  it("never lets more than `limit` requests into any window", async () => {
    const stub = budgetStub();
    const rule: BudgetRule = { limit: 3, windowMs: 1000 };
    const reservations = [];
    for (let i = 0; i < 10; i++) reservations.push(await stub.reserve(rule));
    // The first `limit` go at once; after that, each waits.
    expect(reservations.filter((r) => r.waitMs === 0)).toHaveLength(3);
    const at = reservations.map((r) => r.at);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    for (let i = 0; i + rule.limit < at.length; i++) {
      expect((at[i + rule.limit] as number) - (at[i] as number)).toBeGreaterThanOrEqual(rule.windowMs);
    }
  });

  it("a 429 pauses every caller until its Retry-After has passed", async () => {
    const stub = budgetStub();
    const rule: BudgetRule = { limit: 1000, windowMs: 60_000 };
    expect((await stub.reserve(rule)).waitMs).toBe(0);
    const until = await stub.pause(2_000);
    const next = await stub.reserve(rule);
    expect(next.at).toBeGreaterThanOrEqual(until);
    expect(next.waitMs).toBeGreaterThan(0);
    // A shorter pause reported later does not cut the longer one short.
    expect(await stub.pause(10)).toBe(until);
  });

  it("paces a client's calls through the Durable Object: 6 calls at 3 per 500 ms take at least a window", async () => {
    const name = crypto.randomUUID();
    const api = testClient({ budget: durableApiBudget(env.API_BUDGET, { limit: 3, windowMs: 500 }, name) });
    const started = Date.now();
    for (let i = 0; i < 6; i++) expect(await api.r2.find(`t-none-${i}-r2`)).toBeNull();
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
  });

  it("reads its rule from the vars, Cloudflare's 1,200 per 5 minutes by default", () => {
    const ruleOf = (rate: object) =>
      cloudflareClientConfigOf({ CLOUDFLARE_ACCOUNT_ID: env.CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_API_TOKEN: "t", ...rate })
        .budget;
    expect(ruleOf({})).toEqual({ limit: 1200, windowMs: 300_000 });
    expect(ruleOf({ CLOUDFLARE_API_RATE_LIMIT: " ", CLOUDFLARE_API_RATE_WINDOW_SECONDS: "" })).toEqual({
      limit: 1200,
      windowMs: 300_000,
    });
    expect(ruleOf({ CLOUDFLARE_API_RATE_LIMIT: "10", CLOUDFLARE_API_RATE_WINDOW_SECONDS: "2" })).toEqual({
      limit: 10,
      windowMs: 2000,
    });
    expect(() => ruleOf({ CLOUDFLARE_API_RATE_LIMIT: "0" })).toThrow(/CLOUDFLARE_API_RATE_LIMIT/);
  });

  it("the client built from the Worker's env works through the service binding and the shared budget", async () => {
    const api = cloudflareClientFromEnv(env);
    expect(api.accountId).toBe(env.CLOUDFLARE_ACCOUNT_ID);
    expect(await api.d1.find("t-none-d1")).toBeNull();
    expect(() => cloudflareClientConfigOf({ ...env, CLOUDFLARE_ACCOUNT_ID: "nope" })).toThrow(
      /^invalid Cloudflare API client configuration: CLOUDFLARE_ACCOUNT_ID: /,
    );
    expect(() => cloudflareClientConfigOf({ ...env, CLOUDFLARE_API_TOKEN: "" })).toThrow(
      /^invalid Cloudflare API client configuration: CLOUDFLARE_API_TOKEN: is not set$/,
    );
  });
});
