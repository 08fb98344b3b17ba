import { describe, expect, it } from "vitest";
import type { RunnerEnv } from "../src/runner/env";
import { RunnerHealth } from "../src/runner/health";
import runner from "../src/runner/index";
import { RUN_HEADER, RUNNER_FAILURE_HEADER } from "../src/runner/protocol";

// The runner Worker's own answers (src/runner/index.ts), apart from running tenants' code, which
// test/runaway-tenant.test.ts does through npm run dev's real runners.

/** Nothing of the env is reached by these requests: a read of it fails the test. */
const env = new Proxy({} as RunnerEnv, {
  get: (_target, name) => {
    throw new Error(`the runner read env.${String(name)}`);
  },
});
const ctx = { exports: {} } as unknown as ExecutionContext;
/** A request as the runtime hands a Worker one (its `cf` is the incoming kind). */
const send = (path: string, init?: RequestInit) =>
  runner.fetch(new Request(`http://runner${path}`, init) as Request<unknown, IncomingRequestCfProperties>, env, ctx);

describe("a tenant runner", () => {
  it("answers its health path with what it is running", async () => {
    const answer = await send("/__runner/health");
    expect(RunnerHealth.parse(await answer.json())).toEqual({ inFlight: 0, cpuMs: null });
  });

  it.each([
    ["not JSON", "{"],
    ["not an order", JSON.stringify({ url: "http://tenant.example/" })],
    ["an order with a negative CPU limit", JSON.stringify({ url: "http://t/", cpuMs: -1 })],
  ])("answers a run order that is %s with its own failure, never as a tenant's response", async (_what, order) => {
    const answer = await send("/", { headers: { [RUN_HEADER]: order } });
    expect(answer.status).toBe(500);
    expect(answer.headers.get(RUNNER_FAILURE_HEADER)).toBe("1");
    expect(await answer.json()).toEqual({ message: "the runner was sent a run order it cannot read" });
  });

  it("takes nothing but a run order, its health path and its supervisor's and the emulator's orders", async () => {
    expect((await send("/anything")).status).toBe(404);
    expect((await send("/__runner/startup")).status).toBe(404);
    expect((await send("/__runner/startup", { method: "POST", body: "{}" })).status).toBe(400);
    expect((await send("/__runner/redeploy-objects", { method: "POST", body: "{}" })).status).toBe(400);
    expect((await send("/__runner/redeploy-objects")).status).toBe(404);
  });
});
