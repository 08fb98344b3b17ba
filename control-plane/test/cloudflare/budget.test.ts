import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  type ApiBudgetPort,
  type BudgetRule,
  durableApiBudget,
  type Grant,
  WINDOW_MARGIN_MS,
} from "../../src/cloudflare/budget";
import type { CallPriority } from "../../src/cloudflare/call-priority";
import { cloudflareClientFromEnv } from "../../src/cloudflare/client";
import { cloudflareClientConfigOf } from "../../src/config";
import { addFault, faultHits, freshAccount, notedWait, testClient } from "./support";

/** A budget instance of its own per test: the production one is a single shared instance. */
const budgetStub = () => env.API_BUDGET.get(env.API_BUDGET.idFromName(crypto.randomUUID()));
type BudgetStub = ReturnType<typeof budgetStub>;

/** One slot per window: after the first, each waits a whole window (and its margin), long enough to queue callers. */
const ONE_AT_A_TIME: BudgetRule = { limit: 1, windowMs: 200 };

const operation = (since: number): CallPriority => ({ class: "operation", since });
const request = (since: number): CallPriority => ({ class: "request", since });

/** Asks `stub` for a slot as `label`, noting the grant in `grants` when it comes. */
function ask(
  stub: BudgetStub,
  grants: { label: string; grant: Grant }[],
  label: string,
  priority: CallPriority,
  options: { ticket?: string; maxWaitMs?: number; rule?: BudgetRule } = {},
): Promise<Grant> {
  const { rule = ONE_AT_A_TIME, ticket = crypto.randomUUID(), maxWaitMs } = options;
  return stub
    .acquire(rule, priority, { ticket, ...(maxWaitMs === undefined ? {} : { maxWaitMs }) })
    .then((grant: Grant) => {
      grants.push({ label, grant });
      return grant;
    });
}

/** Waits until `count` callers are in line (each ask is one call to the object; they may arrive in any order). */
async function untilWaiting(stub: BudgetStub, count: number): Promise<void> {
  for (let i = 0; i < 200 && (await stub.waiting()) !== count; i++) await new Promise((r) => setTimeout(r, 5));
  expect(await stub.waiting()).toBe(count);
}

/** The labels of the granted asks, in the order of their slots. */
const grantOrder = (grants: { label: string; grant: Grant }[]) =>
  grants
    .filter((g) => g.grant.granted)
    .sort((a, b) => (a.grant.granted && b.grant.granted ? a.grant.at - b.grant.at : 0))
    .map((g) => g.label);

describe("the shared API budget", () => {
  it("never lets more than `limit` requests into any window, whatever their priorities", async () => {
    const stub = budgetStub();
    const rule: BudgetRule = { limit: 3, windowMs: 200 };
    const grants: { label: string; grant: Grant }[] = [];
    const priorities = [operation(5), request(9), operation(1), operation(3), request(2), operation(8), operation(4)];
    await Promise.all(priorities.map((priority, i) => ask(stub, grants, `call ${i}`, priority, { rule })));
    const at = grants.map(({ grant }) => (grant.granted ? grant.at : Number.NaN)).sort((a, b) => a - b);
    expect(at).toHaveLength(priorities.length);
    expect(at.every(Number.isFinite)).toBe(true);
    // The window, and the margin the budget adds to it: `limit` slots back is at least that far.
    for (let i = 0; i + rule.limit < at.length; i++) {
      expect((at[i + rule.limit] as number) - (at[i] as number)).toBeGreaterThanOrEqual(
        rule.windowMs + WINDOW_MARGIN_MS,
      );
    }
    expect(await stub.waiting()).toBe(0);
  });

  it("grants an older operation's waiting call before a newer one's, though it asked later", async () => {
    const stub = budgetStub();
    const grants: { label: string; grant: Grant }[] = [];
    // The window's one slot taken: the next comes a window later, and both callers wait for it.
    await ask(stub, grants, "first", operation(0));
    const newer = ask(stub, grants, "newer", operation(2_000));
    await untilWaiting(stub, 1);
    const older = ask(stub, grants, "older", operation(1_000));
    await untilWaiting(stub, 2);
    await Promise.all([newer, older]);
    expect(grantOrder(grants)).toEqual(["first", "older", "newer"]);
  });

  it("grants a request's call before every operation's queued ahead of it, the oldest operation next", async () => {
    const stub = budgetStub();
    const grants: { label: string; grant: Grant }[] = [];
    await ask(stub, grants, "first", operation(0));
    const queued = [ask(stub, grants, "operation b", operation(20)), ask(stub, grants, "operation a", operation(10))];
    await untilWaiting(stub, 2);
    // Newer than both operations, and asking last: a request waits on it.
    queued.push(ask(stub, grants, "request", request(30)));
    await untilWaiting(stub, 3);
    await Promise.all(queued);
    expect(grantOrder(grants)).toEqual(["first", "request", "operation a", "operation b"]);
  });

  it("paces background calls while requests come (a window after the last), but not a request, which goes between them", async () => {
    const stub = budgetStub();
    // 10 per 1 s (2 s with the margin): after the first, one background call per 200 ms.
    const rule: BudgetRule = { limit: 10, windowMs: 1000 };
    const grants: { label: string; grant: Grant }[] = [];
    await ask(stub, grants, "request 1", request(0), { rule });
    const operations = [1, 2, 3, 4].map((since) => ask(stub, grants, `operation ${since}`, operation(since), { rule }));
    await untilWaiting(stub, 3);
    const asked = ask(stub, grants, "request 2", request(5), { rule });
    await Promise.all([...operations, asked]);
    expect(grantOrder(grants)).toEqual([
      "request 1",
      "operation 1",
      "request 2",
      "operation 2",
      "operation 3",
      "operation 4",
    ]);
    const at = grants
      .filter((g) => g.label.startsWith("operation"))
      .map(({ grant }) => (grant.granted ? grant.at : Number.NaN))
      .sort((a, b) => a - b);
    for (let i = 1; i < at.length; i++) {
      expect((at[i] as number) - (at[i - 1] as number)).toBeGreaterThanOrEqual(
        (rule.windowMs + WINDOW_MARGIN_MS) / rule.limit,
      );
    }
  });

  it("with no request about, lets background calls go at once, but keeps the requests' share of the window", async () => {
    const stub = budgetStub();
    // 40 per window: 2 (a twentieth) kept for requests, 38 for background calls.
    const rule: BudgetRule = { limit: 40, windowMs: 60_000 };
    const grants: { label: string; grant: Grant }[] = [];
    const background = Array.from({ length: 38 }, (_, i) =>
      ask(stub, grants, `background ${i}`, operation(i), { rule }),
    );
    expect((await Promise.all(background)).every((grant) => grant.granted)).toBe(true);
    const beyond = ask(stub, grants, "background beyond", operation(100), { rule, ticket: "beyond" });
    await untilWaiting(stub, 1);
    // The requests' share: a request goes at once, the background call still waits.
    expect((await ask(stub, grants, "request", request(200), { rule })).granted).toBe(true);
    expect(await stub.waiting()).toBe(1);
    expect(await stub.withdraw("beyond")).toBe(true);
    expect(await beyond).toEqual({ granted: false });
  });

  it("holds the calls an older operation claims: a window coming free goes to it whole, not a step to each", async () => {
    const stub = budgetStub();
    // 40 per window, 2 kept for requests: 38 for background calls, no window passing during the test.
    const rule: BudgetRule = { limit: 40, windowMs: 60_000 };
    const grants: { label: string; grant: Grant }[] = [];
    const step = (label: string, since: number, id: string, later: number) =>
      ask(stub, grants, label, { class: "operation", since, work: { id, later } }, { rule });
    // The oldest operation has 30 calls to make after its first; two newer ones 5 each.
    await step("a 1", 1, "a", 30);
    await step("b 1", 2, "b", 5);
    await step("c 1", 3, "c", 5);
    // 3 slots taken, 40 claimed: the newest operation waits, though the window has room for 35 more.
    const d = step("d 1", 4, "d", 5);
    await untilWaiting(stub, 1);
    // The oldest goes on at once, ahead of it; its claim shrinks with each call.
    await step("a 2", 1, "a", 29);
    expect(await stub.waiting()).toBe(1);
    // Its last call: nothing left to claim, and the newest operation has its room.
    await step("a 3", 1, "a", 0);
    expect((await d).granted).toBe(true);
    // (The last two share a millisecond: the order of their answers says nothing.)
    expect(grantOrder(grants).slice(0, 4)).toEqual(["a 1", "b 1", "c 1", "a 2"]);
  });

  it("a caller that gives up, or asks no more, holds no place: the next in line gets the slot", async () => {
    const stub = budgetStub();
    const grants: { label: string; grant: Grant }[] = [];
    await ask(stub, grants, "first", operation(0));
    const withdrawn = ask(stub, grants, "withdrawn", request(1), { ticket: "gives-up" });
    const patient = ask(stub, grants, "patient", operation(3));
    await untilWaiting(stub, 2);
    expect(await stub.withdraw("gives-up")).toBe(true);
    expect(await withdrawn).toEqual({ granted: false });
    // Vanished without a word, first in line: its ask runs out before the slot comes.
    expect(await ask(stub, grants, "expired", request(2), { maxWaitMs: 50 })).toEqual({ granted: false });
    // Neither held the line: the patient caller, last in priority, has the slot that came free.
    expect((await patient).granted).toBe(true);
    expect(grantOrder(grants)).toEqual(["first", "patient"]);
    expect(await stub.withdraw("gives-up")).toBe(false);
  });

  it("the client's port gives its place back when its caller aborts, and rejects with the reason", async () => {
    const name = crypto.randomUUID();
    const stub = env.API_BUDGET.get(env.API_BUDGET.idFromName(name));
    const budget = durableApiBudget(env.API_BUDGET, ONE_AT_A_TIME, name);
    await budget.acquire(operation(0));
    const abort = new AbortController();
    const waiting = budget.acquire(operation(1), abort.signal);
    await untilWaiting(stub, 1);
    const reason = new Error("the caller went away");
    abort.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    await untilWaiting(stub, 0);
    // An aborted signal asks for nothing.
    await expect(budget.acquire(operation(2), abort.signal)).rejects.toBe(reason);
    expect(await stub.waiting()).toBe(0);
  });

  it("a 429 pauses every caller until its Retry-After has passed", async () => {
    const stub = budgetStub();
    const rule: BudgetRule = { limit: 1000, windowMs: 60_000 };
    const grants: { label: string; grant: Grant }[] = [];
    expect((await ask(stub, grants, "before", request(0), { rule })).granted).toBe(true);
    const until = await stub.pause(60_000);
    expect(await stub.pausedFor()).toBeGreaterThan(0);
    // The rule would let it go at once; the pause does not, whatever its priority.
    expect(await ask(stub, grants, "during", request(0), { rule, maxWaitMs: 100 })).toEqual({ granted: false });
    // A shorter pause reported later does not cut the longer one short.
    expect(await stub.pause(10)).toBe(until);
  });

  it("the client asks for a slot with its priority before every attempt, a retry with the same", async () => {
    const asked: CallPriority[] = [];
    const budget: ApiBudgetPort = {
      acquire: async (priority) => {
        asked.push(priority);
      },
      pause: async () => {},
    };
    const accountId = freshAccount();
    // An operation's calls are as old as the operation: its source says the same at every ask.
    const api = testClient({
      emulator: "gated",
      accountId,
      budget,
      priority: () => operation(1_000),
      wait: notedWait([]),
    });
    const fault = await addFault({
      method: "GET",
      path: `/accounts/${accountId}/r2/buckets/*`,
      times: 1,
      action: { kind: "fail", status: 500, code: 10002, message: "Injected failure" },
    });
    expect(await api.r2.find("t-none-r2")).toBeNull();
    expect(await faultHits(fault)).toBe(1);
    expect(asked).toEqual([operation(1_000), operation(1_000)]);
    // Without a source of its own, a call is a background one as old as its ask.
    const before = Date.now();
    await testClient({ budget }).r2.find("t-none-r2");
    const background = asked.at(-1) as CallPriority;
    expect(background.class).toBe("operation");
    expect(background.since).toBeGreaterThanOrEqual(before);
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
