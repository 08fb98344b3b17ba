import { runDurableObjectAlarm } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { TraceEvent } from "../../platform/tenant-logs";
import { kvKeySpace } from "../src/kv/binding";
import type { RunnerEnv } from "../src/runner/env";
import runner from "../src/runner/index";
import { RUN_HEADER, type RunOrder, SCHEDULED_URL, ScheduledOutcome } from "../src/runner/protocol";
import { ACCOUNT, acct, call, errorOf, json, resultOf } from "./helpers";
import { unique } from "./scripts-helpers";
import { createNamespace, dispatch, uploadScript } from "./tenant";

/** Keeps each run's controller in its KV (one key per cron), and answers the runs from fetch(); `0 0 1 1 *` throws. */
const CRON_WORKER = `export default {
  async scheduled(controller, env) {
    console.log("cron ran", controller.cron);
    const runs = JSON.parse((await env.KV.get("run:" + controller.cron)) ?? "[]");
    runs.push({ cron: controller.cron, scheduledTime: controller.scheduledTime });
    await env.KV.put("run:" + controller.cron, JSON.stringify(runs));
    if (controller.cron === "0 0 1 1 *") throw new Error("the yearly job failed");
  },
  async fetch(request, env) {
    const { keys } = await env.KV.list({ prefix: "run:" });
    const runs = await Promise.all(keys.map(async (key) => JSON.parse(await env.KV.get(key.name))));
    return Response.json(runs.flat().sort((a, b) => a.scheduledTime - b.scheduledTime || a.cron.localeCompare(b.cron)));
  },
};`;

interface Run {
  cron: string;
  scheduledTime: number;
}
interface Fired extends Run {
  outcome: string;
  noRetry: boolean;
}

const store = () => env.WORKERS_STORE.get(env.WORKERS_STORE.idFromName(ACCOUNT));
const tail = env.TAIL as unknown as { recorded(): Promise<TraceEvent[]> };

async function cronTenant(crons: string[], code = CRON_WORKER): Promise<{ ns: string; script: string; kv: string }> {
  const ns = await createNamespace();
  const script = unique("cron");
  const kv = await resultOf<{ id: string }>(
    await call(acct("/storage/kv/namespaces"), json("POST", { title: unique("kv") })),
  );
  await uploadScript(ns, script, {
    modules: { "index.js": code },
    bindings: [{ type: "kv_namespace", name: "KV", namespace_id: kv.id }],
  });
  await resultOf(
    await call(
      acct(`/workers/dispatch/namespaces/${ns}/scripts/${script}/schedules`),
      json(
        "PUT",
        crons.map((cron) => ({ cron })),
      ),
    ),
  );
  return { ns, script, kv: kv.id };
}

const fire = (body: unknown, account = ACCOUNT) => call(`/__emulator/schedules/${account}/fire`, json("POST", body));
const runsOf = async (ns: string, script: string): Promise<Run[]> =>
  (await dispatch(ns, script, "http://tenant.example/")).json();

describe("firing a Cron Trigger now (POST /__emulator/schedules/:account/fire)", () => {
  it("runs the script's scheduled() with the cron and time, whose effect a later fetch sees", async () => {
    const { ns, script } = await cronTenant(["*/30 * * * *", "0 12 * * MON#2"]);
    const before = Date.now();
    const { fired } = await resultOf<{ fired: Fired[] }>(await fire({ namespace: ns, script, cron: "0 12 * * MON#2" }));
    expect(fired).toEqual([
      { cron: "0 12 * * MON#2", scheduledTime: expect.any(Number), outcome: "ok", noRetry: false },
    ]);
    expect(fired[0]?.scheduledTime).toBeGreaterThanOrEqual(before);
    expect(await runsOf(ns, script)).toEqual([{ cron: "0 12 * * MON#2", scheduledTime: fired[0]?.scheduledTime }]);
  });

  it("fires every trigger of the script when no cron is named", async () => {
    const { ns, script } = await cronTenant(["*/30 * * * *", "0 12 * * *"]);
    const { fired } = await resultOf<{ fired: Fired[] }>(await fire({ namespace: ns, script }));
    expect(fired.map((f) => [f.cron, f.outcome])).toEqual([
      ["*/30 * * * *", "ok"],
      ["0 12 * * *", "ok"],
    ]);
    expect((await runsOf(ns, script)).map((r) => r.cron).sort()).toEqual(["*/30 * * * *", "0 12 * * *"]);
  });

  it("answers a handler that throws as the outcome 'exception', its effect before the throw kept", async () => {
    const { ns, script } = await cronTenant(["0 0 1 1 *"]);
    const { fired } = await resultOf<{ fired: Fired[] }>(await fire({ namespace: ns, script }));
    expect(fired[0]?.outcome).toBe("exception");
    expect((await runsOf(ns, script)).map((r) => r.cron)).toEqual(["0 0 1 1 *"]);
  });

  it("answers a script with no scheduled() handler with an outcome that is not 'ok'", async () => {
    const { ns, script } = await cronTenant(["* * * * *"], 'export default { fetch() { return new Response("x"); } };');
    const { fired } = await resultOf<{ fired: Fired[] }>(await fire({ namespace: ns, script }));
    expect(fired[0]?.outcome).not.toBe("ok");
    // Its every-minute trigger would fail at every alarm the other tests run.
    await resultOf(await call(acct(`/workers/dispatch/namespaces/${ns}/scripts/${script}/schedules`), json("PUT", [])));
  });

  it("sends the run's logs to the tail Worker under the script's name", async () => {
    const { ns, script } = await cronTenant(["5 4 * * *"]);
    await resultOf(await fire({ namespace: ns, script }));
    let events: TraceEvent[] = [];
    for (let tries = 0; tries < 200 && events.length === 0; tries++) {
      events = (await tail.recorded()).filter((e) => e.scriptName === script);
      if (events.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ dispatchNamespace: ns, outcome: "ok", request: null });
    expect(events[0]?.logs.map((l) => l.message)).toEqual([["cron ran", "5 4 * * *"]]);
  });

  it("refuses what it cannot fire: 404 for a missing script or trigger, 400 for a bad account or body", async () => {
    const { ns, script } = await cronTenant(["* * * * *"]);
    expect((await errorOf(await fire({ namespace: ns, script: "nobody" }), 404)).code).toBe(10007);
    const noSuchCron = await errorOf(await fire({ namespace: ns, script, cron: "0 * * * *" }), 404);
    expect(noSuchCron.message).toContain("0 * * * *");
    await resultOf(await call(acct(`/workers/dispatch/namespaces/${ns}/scripts/${script}/schedules`), json("PUT", [])));
    expect((await errorOf(await fire({ namespace: ns, script }), 404)).message).toContain("no Cron Triggers");
    expect((await errorOf(await fire({ namespace: ns, script }, "not-an-account"), 400)).code).toBe(10014);
    expect((await errorOf(await fire({ script }), 400)).code).toBe(10014);
    expect((await errorOf(await call(`/__emulator/schedules/${ACCOUNT}/fire`), 405)).code).toBe(10405);
  });
});

describe("the store's alarm runs due triggers", () => {
  it("arms an alarm for the next minute an every-minute cron fires at, and runs scheduled() with that time", async () => {
    const put = Date.now();
    const { ns, script } = await cronTenant(["* * * * *"]);
    // The alarm is run now rather than waited for: it counts as run at the time it was set for.
    expect(await runDurableObjectAlarm(store())).toBe(true);
    const [first, ...others] = await runsOf(ns, script);
    expect(others).toEqual([]);
    expect(first?.cron).toBe("* * * * *");
    expect((first?.scheduledTime ?? 0) % 60_000).toBe(0);
    expect(first?.scheduledTime).toBeGreaterThan(put);
    expect(first?.scheduledTime).toBeLessThanOrEqual(put + 120_000);
    // The next alarm is the following minute: each minute runs once.
    expect(await runDurableObjectAlarm(store())).toBe(true);
    expect((await runsOf(ns, script)).map((r) => r.scheduledTime)).toEqual([
      first?.scheduledTime,
      (first?.scheduledTime ?? 0) + 60_000,
    ]);
  });

  it("runs a trigger only when it is due, and no longer once its script is deleted", async () => {
    const yearly = await cronTenant(["0 0 1 1 *"]);
    const minutely = await cronTenant(["* * * * *"]);
    expect(await runDurableObjectAlarm(store())).toBe(true);
    expect(await runsOf(yearly.ns, yearly.script)).toEqual([]);
    const runsBefore = await runsOf(minutely.ns, minutely.script);
    expect(runsBefore).toHaveLength(1);
    await resultOf(
      await call(acct(`/workers/dispatch/namespaces/${minutely.ns}/scripts/${minutely.script}`), { method: "DELETE" }),
    );
    // The yearly trigger keeps the alarm armed; the deleted script's trigger went with it, so it runs no more:
    // its KV namespace (which outlives the script) still holds the one run.
    expect(await runDurableObjectAlarm(store())).toBe(true);
    expect(await env.KV_DATA.get(kvKeySpace(minutely.kv).toStored("run:* * * * *"), "json")).toEqual(runsBefore);
    expect(await runsOf(yearly.ns, yearly.script)).toEqual([]);
  });
});

describe("a Cron Trigger's run order in a tenant runner", () => {
  it("runs the worker's scheduled() there and answers the outcome as JSON", async () => {
    const { ns, script } = await cronTenant(["0 6 * * *"]);
    const scope = { accountId: ACCOUNT, namespace: ns, script } as RunOrder["scope"];
    const chosen = await store().chooseRunnable(ns, script, { override: null, key: null });
    if (chosen === null) throw new Error("the script was not stored");
    const order: RunOrder = {
      url: SCHEDULED_URL,
      acceptEncoding: null,
      scope,
      etag: chosen.runnable.etag,
      versionId: chosen.versionId,
      deployedEtags: chosen.deployedEtags,
      outboundParams: null,
      tail: false,
      scheduled: { cron: "0 6 * * *", scheduledTime: Date.UTC(2026, 0, 2, 6) },
    };
    // The runner's bindings, here the emulator's own: its code from RunnerSupport, the same loader.
    const support = (exports as unknown as Record<string, (o: { props: unknown }) => unknown>).RunnerSupport;
    const runnerEnv = {
      MAX_LOADED_WORKERS: "4",
      LOADED_WORKER_MIN_IDLE_MS: "0",
      EMULATOR: support?.({ props: {} }),
      LOADER: env.LOADER,
    } as unknown as RunnerEnv;
    const ctx = { exports } as unknown as ExecutionContext;
    const request = new Request(SCHEDULED_URL, { method: "POST", headers: { [RUN_HEADER]: JSON.stringify(order) } });
    const answer = await runner.fetch(request as Request<unknown, IncomingRequestCfProperties>, runnerEnv, ctx);
    expect(ScheduledOutcome.parse(await answer.json())).toEqual({ outcome: "ok", noRetry: false });
    expect(await runsOf(ns, script)).toEqual([{ cron: "0 6 * * *", scheduledTime: Date.UTC(2026, 0, 2, 6) }]);
  });
});
