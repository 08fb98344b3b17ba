import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { LogEvent } from "../../platform/tenant-logs";
import { tenantLogs } from "../src/filing";
import { PURGED_CLOSE_CODE } from "../src/tenant-logs";
import { getPage, ingest, newTenant, tail, tailEnv, traceEvent } from "./support";

const DAY_MS = 24 * 60 * 60 * 1000;

/** `count` events of `tenant`, filed one call each so their ids follow their order; marked by their path. */
async function fileMany(tenant: string, count: number, outcomeOf: (i: number) => string = () => "ok") {
  for (let i = 0; i < count; i++) {
    await ingest.record([
      traceEvent(tenant, {
        outcome: outcomeOf(i),
        request: { method: "GET", url: `https://x.example/${i}` },
      }),
    ]);
  }
}

const paths = (events: LogEvent[]) => events.map((e) => new URL(e.request?.url ?? "http://x/?").pathname);

describe("a tenant's history", () => {
  it("keeps the newest LOG_RETENTION_EVENTS (5 in the tests' config)", async () => {
    const tenant = newTenant();
    await fileMany(tenant, 8);
    const { body } = await getPage(tenant);
    expect(paths(body.events)).toEqual(["/7", "/6", "/5", "/4", "/3"]);
    expect(body.next).toBeNull();
  });

  it("drops events older than LOG_RETENTION_DAYS, on append and on read", async () => {
    const tenant = newTenant();
    await ingest.record([
      traceEvent(tenant, { eventTimestamp: Date.now() - 8 * DAY_MS, request: { method: "GET", url: "https://x/old" } }),
      traceEvent(tenant, {
        eventTimestamp: Date.now() - 6 * DAY_MS,
        request: { method: "GET", url: "https://x/week" },
      }),
    ]);
    expect(paths((await getPage(tenant)).body.events)).toEqual(["/week"]);
    // An event that has aged in storage since it was filed.
    const stub = tenantLogs(tailEnv, tenant);
    await runInDurableObject(stub, (_instance, state) => {
      state.storage.sql.exec("UPDATE events SET at = ?", Date.now() - 8 * DAY_MS);
    });
    expect((await getPage(tenant)).body.events).toEqual([]);
  });

  it("pages newest first: before, next, limit and outcome", async () => {
    const tenant = newTenant();
    await fileMany(tenant, 5, (i) => (i % 2 === 0 ? "exception" : "ok"));
    const first = await getPage(tenant, "?limit=2");
    expect(paths(first.body.events)).toEqual(["/4", "/3"]);
    expect(first.body.next).toBe(first.body.events[1]?.id);
    const second = await getPage(tenant, `?limit=2&before=${first.body.next}`);
    expect(paths(second.body.events)).toEqual(["/2", "/1"]);
    const third = await getPage(tenant, `?limit=2&before=${second.body.next}`);
    expect(paths(third.body.events)).toEqual(["/0"]);
    expect(third.body.next).toBeNull();
    const exactlyTwo = await getPage(tenant, `?limit=2&before=${first.body.next}`);
    expect(exactlyTwo.body.next).not.toBeNull();
    const failures = await getPage(tenant, "?outcome=exception");
    expect(paths(failures.body.events)).toEqual(["/4", "/2", "/0"]);
    const failuresPaged = await getPage(tenant, "?outcome=exception&limit=1");
    expect(failuresPaged.body.next).toBe(failuresPaged.body.events[0]?.id);
    const lastFailure = await getPage(tenant, `?outcome=exception&limit=2&before=${failuresPaged.body.next}`);
    expect(paths(lastFailure.body.events)).toEqual(["/2", "/0"]);
    expect(lastFailure.body.next).toBeNull();
  });

  it("never shows a tenant another's events", async () => {
    const a = newTenant("a");
    const b = newTenant("b");
    await ingest.record([traceEvent(a), traceEvent(b), traceEvent(b)]);
    const pageA = await getPage(a);
    expect(pageA.body.events).toHaveLength(1);
    expect(pageA.body.events[0]?.logs[0]?.message).toBe(`hello from ${a}`);
    const pageB = await getPage(b);
    expect(pageB.body.events.map((e) => e.logs[0]?.message)).toEqual([`hello from ${b}`, `hello from ${b}`]);
  });
});

/** A live follower of `tenant`'s logs, with what it received and how it was closed. */
async function follow(tenant: string) {
  const response = await tail.fetch(`http://tail/tenants/${tenant}/logs/live`, { headers: { Upgrade: "websocket" } });
  expect(response.status).toBe(101);
  const socket = response.webSocket;
  if (socket === null) throw new Error("no WebSocket");
  const frames: LogEvent[] = [];
  let closed: { code: number; reason: string } | undefined;
  const waiters: (() => void)[] = [];
  const wake = () => {
    for (const waiter of waiters.splice(0)) waiter();
  };
  socket.addEventListener("message", (event) => {
    frames.push(JSON.parse(event.data as string));
    wake();
  });
  socket.addEventListener("close", (event) => {
    closed = { code: event.code, reason: event.reason };
    wake();
  });
  socket.accept();
  const until = async (done: () => boolean) => {
    const deadline = Date.now() + 5000;
    while (!done()) {
      if (Date.now() > deadline) throw new Error("timed out waiting on the live follower");
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  };
  return { socket, frames, closed: () => closed, until };
}

describe("live followers", () => {
  it("receive every appended event of their tenant, as a LogEvent, and no other tenant's", async () => {
    const tenant = newTenant();
    const other = newTenant();
    const one = await follow(tenant);
    const two = await follow(tenant);
    one.socket.send("anything: ignored");
    await ingest.record([traceEvent(other), traceEvent(tenant, { outcome: "exception" })]);
    await one.until(() => one.frames.length === 1);
    await two.until(() => two.frames.length === 1);
    const { body } = await getPage(tenant);
    expect(one.frames).toEqual(body.events);
    expect(two.frames).toEqual(body.events);
    expect(one.frames[0]?.outcome).toBe("exception");
    one.socket.close(1000, "done");
    await ingest.record([traceEvent(tenant)]);
    await two.until(() => two.frames.length === 2);
    two.socket.close(1000, "done");
  });

  it("are closed when the tenant's logs are purged (DELETE), which removes them", async () => {
    const tenant = newTenant();
    await ingest.record([traceEvent(tenant), traceEvent(tenant)]);
    const follower = await follow(tenant);
    const response = await tail.fetch(`http://tail/tenants/${tenant}/logs`, { method: "DELETE" });
    expect(response.status).toBe(204);
    await follower.until(() => follower.closed() !== undefined);
    expect(follower.closed()?.code).toBe(PURGED_CLOSE_CODE);
    expect((await getPage(tenant)).body).toEqual({ events: [], next: null });
    // Filing goes on after a purge (a tenant created again with the same id).
    await ingest.record([traceEvent(tenant)]);
    expect((await getPage(tenant)).body.events).toHaveLength(1);
  });
});
