import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { pollDelayMs, TURN_STALE_MS, type Turn, Turns, takeTurn } from "../../../platform/turns";
import { changesInTurn, leaveTurn } from "../../src/api/changes-in-turn";
import type { AppEnv } from "../../src/api/types";
import { API_BUDGET_NAME } from "../../src/cloudflare/budget";
import { configOf } from "../../src/config";
import { api, ensureNamespace, newTenant, settled, testEnv, uniqueId } from "./support";

/** A clock the test moves by hand. */
function clock() {
  let now = 0;
  return {
    now: () => now,
    pass: (ms: number) => {
      now += ms;
    },
  };
}

describe("Turns (platform/turns.ts)", () => {
  it("starts turns in arrival order, at most `limit` at once", () => {
    const time = clock();
    const turns = new Turns(2, { mayVanish: true, now: time.now });
    const [a, b, c, d] = [turns.join(), turns.join(), turns.join(), turns.join()] as Turn[];
    // d looks first, but three arrived before it.
    expect(turns.tryStart(d as Turn)).toBe(3);
    expect(turns.tryStart(b as Turn)).toBe(1);
    expect(turns.tryStart(a as Turn)).toBe(true);
    expect(turns.tryStart(b as Turn)).toBe(true);
    // Both slots taken: c is first in line and still waits.
    expect(turns.tryStart(c as Turn)).toBe(0);
    expect(turns.tryStart(d as Turn)).toBe(1);
    turns.finish(b as Turn);
    expect(turns.tryStart(d as Turn)).toBe(1);
    expect(turns.tryStart(c as Turn)).toBe(true);
    expect([turns.running, turns.waiting]).toEqual([2, 1]);
  });

  it("a turn that gives up leaves the line, and one that fails frees its slot", () => {
    const turns = new Turns(1, { mayVanish: true, now: clock().now });
    const [a, b, c] = [turns.join(), turns.join(), turns.join()] as Turn[];
    expect(turns.tryStart(a as Turn)).toBe(true);
    turns.finish(b as Turn);
    turns.finish(a as Turn);
    expect(turns.tryStart(c as Turn)).toBe(true);
  });

  it("drops the first in line once it stops looking (its request was cancelled)", () => {
    const time = clock();
    const turns = new Turns(1, { mayVanish: true, now: time.now });
    const [a, gone, c] = [turns.join(), turns.join(), turns.join()] as Turn[];
    expect(turns.tryStart(a as Turn)).toBe(true);
    turns.finish(a as Turn);
    // `gone` never looks again; c keeps looking, and waits behind it until it counts as cancelled.
    time.pass(TURN_STALE_MS);
    expect(turns.tryStart(c as Turn)).toBe(1);
    time.pass(1);
    expect(turns.tryStart(c as Turn)).toBe(true);
    expect(turns.waiting).toBe(0);
    void gone;
  });

  it("frees the slot of a running turn that stops saying it runs, and not of one that says so", () => {
    const time = clock();
    const turns = new Turns(2, { mayVanish: true, now: time.now });
    const [kept, gone, next] = [turns.join(), turns.join(), turns.join()] as Turn[];
    expect(turns.tryStart(kept as Turn)).toBe(true);
    expect(turns.tryStart(gone as Turn)).toBe(true);
    for (let ms = 0; ms < TURN_STALE_MS; ms += 250) {
      time.pass(250);
      turns.keep(kept as Turn);
      // Still within TURN_STALE_MS of gone's start: both slots stay taken.
      expect(turns.tryStart(next as Turn)).toBe(0);
    }
    time.pass(1);
    expect(turns.tryStart(next as Turn)).toBe(true);
    expect(turns.running).toBe(2);
  });

  it("without `mayVanish`, a running turn holds its slot until it finishes, however long it takes", () => {
    const time = clock();
    const turns = new Turns(1, { mayVanish: false, now: time.now });
    const [slow, next] = [turns.join(), turns.join()] as Turn[];
    expect(turns.tryStart(slow as Turn)).toBe(true);
    time.pass(10 * TURN_STALE_MS);
    expect(turns.tryStart(next as Turn)).toBe(0);
    turns.finish(slow as Turn);
    expect(turns.tryStart(next as Turn)).toBe(true);
  });

  it("a waiting turn taken for cancelled while its timer was late goes back to the front", () => {
    const time = clock();
    const turns = new Turns(1, { mayVanish: true, now: time.now });
    const [a, late, c] = [turns.join(), turns.join(), turns.join()] as Turn[];
    expect(turns.tryStart(a as Turn)).toBe(true);
    time.pass(TURN_STALE_MS + 1);
    turns.keep(a as Turn);
    // c's look drops `late`, which has not looked for too long.
    expect(turns.tryStart(c as Turn)).toBe(0);
    // `late` looks again: it arrived before c, so it is first again.
    expect(turns.tryStart(late as Turn)).toBe(0);
    expect(turns.tryStart(c as Turn)).toBe(1);
    turns.finish(a as Turn);
    expect(turns.tryStart(c as Turn)).toBe(1);
    expect(turns.tryStart(late as Turn)).toBe(true);
  });

  it("looks often near the front of the line and seldom far back, never less often than every 200 ms", () => {
    const delays = [0, 1, 2, 5, 39, 40, 200, 10_000].map(pollDelayMs);
    expect(delays).toEqual([2, 7, 12, 27, 197, 200, 200, 200]);
    expect(() => new Turns(0, { mayVanish: true })).toThrow(RangeError);
  });

  it("takeTurn runs work in arrival order, at most `limit` at once, failures included", async () => {
    const turns = new Turns(3, { mayVanish: true });
    const started: number[] = [];
    let running = 0;
    let most = 0;
    const work = (n: number) => async () => {
      started.push(n);
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 3 + (n % 4)));
      running--;
      if (n % 5 === 0) throw new Error(`piece ${n} fails`);
      return n;
    };
    const results = await Promise.allSettled(Array.from({ length: 20 }, (_, n) => takeTurn(turns, work(n))));
    expect(started).toEqual(Array.from({ length: 20 }, (_, n) => n));
    expect(most).toBe(3);
    expect(results.filter((r) => r.status === "rejected")).toHaveLength(4);
    expect([turns.running, turns.waiting]).toEqual([0, 0]);
  });
});

/** The control plane's one shared budget, as its clients reach it. */
const budget = () => testEnv.API_BUDGET.get(testEnv.API_BUDGET.idFromName(API_BUDGET_NAME));

/** An app of the middleware alone, at CHANGES_AT_ONCE=3, whose changes run until the test lets them end. */
function appInTurns() {
  const env = { ...testEnv, CHANGES_AT_ONCE: "3" };
  let release = () => {};
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  const seen = { started: [] as number[], inTurn: 0, most: 0, left: 0 };
  const app = new Hono<AppEnv>()
    .use(changesInTurn)
    .get("/", (c) => c.text("read"))
    .post("/:n", async (c) => {
      seen.started.push(Number(c.req.param("n")));
      seen.inTurn++;
      seen.most = Math.max(seen.most, seen.inTurn);
      await new Promise((resolve) => setTimeout(resolve, 2));
      if (c.req.query("leave") !== undefined) {
        seen.inTurn--;
        seen.left++;
        leaveTurn(c);
        await released;
      } else {
        await released;
        seen.inTurn--;
      }
      return c.text("done");
    });
  const send = (method: string, path: string) => app.request(path, { method }, env);
  return { send, seen, release };
}

const until = async (done: () => boolean) => {
  for (let i = 0; i < 1_000 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 2));
};

describe("the API's changes take turns (api/changes-in-turn.ts)", () => {
  it("at most CHANGES_AT_ONCE changes run at once, started in arrival order; reads do not wait", async () => {
    const { send, seen, release } = appInTurns();
    const changes = Array.from({ length: 10 }, (_, n) => send("POST", `/${n}`));
    await until(() => seen.started.length === 3);
    // Every turn is taken and held: a read is answered all the same.
    expect(await (await send("GET", "/")).text()).toBe("read");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen.started).toEqual([0, 1, 2]);
    release();
    expect(await Promise.all(changes.map(async (r) => (await r).status))).toEqual(changes.map(() => 200));
    expect(seen.started).toEqual(Array.from({ length: 10 }, (_, n) => n));
    expect(seen.most).toBe(3);
  });

  it("a change that leaves its turn lets the next one start while it goes on", async () => {
    const { send, seen, release } = appInTurns();
    const changes = Array.from({ length: 10 }, (_, n) => send("POST", `/${n}?leave`));
    // None ends before the test lets it, yet every one got a turn: each left its own.
    await until(() => seen.left === 10);
    expect(seen.left).toBe(10);
    expect(seen.most).toBeLessThanOrEqual(3);
    release();
    await Promise.all(changes);
  });

  it("a POST leaves its turn once its tenant is recorded: every POST's check reaches the API budget's line, and every one is answered", async () => {
    await ensureNamespace();
    const limit = configOf(testEnv).changesAtOnce;
    const ids = Array.from({ length: limit + 4 }, () => uniqueId());
    // The budget holds every call: each POST waits there, on its script check, having left its turn.
    await budget().pause(3_000);
    const posts = ids.map((id) => api("POST", "/v1/tenants", newTenant(id)));
    let waiting = 0;
    for (let i = 0; i < 500 && waiting < ids.length; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      waiting = await budget().waiting();
    }
    expect(waiting).toBe(ids.length);
    // Once the budget lets calls go, every POST has its answer: none was cancelled as hung while it
    // waited for a turn another request freed.
    expect((await Promise.all(posts)).map((r) => r.status)).toEqual(ids.map(() => 202));
    for (const id of ids) await settled(id, ["active"]);
  });
});
