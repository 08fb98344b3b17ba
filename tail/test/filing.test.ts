import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { LogPage } from "../../platform/tenant-logs";
import worker from "../src/index";
import { MAX_EXCEPTIONS, MAX_LOG_LINES, MAX_TEXT_BYTES } from "../src/log-event";
import { getPage, ingest, NAMESPACE, newTenant, tailEnv, traceEvent, traceItem } from "./support";

async function runTail(items: TraceItem[]) {
  const ctx = createExecutionContext();
  await worker.tail?.(items, tailEnv, ctx);
  await waitOnExecutionContext(ctx);
}

describe("filing from TraceIngest.record (the emulator's door)", () => {
  it("files each tenant's events under it, as LogEvents", async () => {
    const tenant = newTenant();
    await ingest.record([traceEvent(tenant, { eventTimestamp: Date.UTC(2030, 0, 1) })]);
    const { status, body } = await getPage(tenant);
    expect(status).toBe(200);
    expect(LogPage.strict().parse(body)).toEqual(body);
    expect(body.next).toBeNull();
    expect(body.events).toEqual([
      {
        id: expect.any(Number),
        timestamp: "2030-01-01T00:00:00.000Z",
        outcome: "ok",
        request: { method: "GET", url: `https://${tenant}.platform.example/`, status: 200 },
        logs: [{ timestamp: expect.any(String), level: "log", message: `hello from ${tenant}` }],
        exceptions: [],
        cpuTimeMs: 1,
        wallTimeMs: 2,
        truncated: false,
      },
    ]);
  });

  it("ignores events of another namespace, of no namespace (the dispatcher's own) and of scripts that are no tenant", async () => {
    const tenant = newTenant();
    await ingest.record([
      traceEvent(tenant, { dispatchNamespace: "other-namespace" }),
      traceEvent(tenant, { dispatchNamespace: null }),
      traceEvent("wfp-dispatcher", { dispatchNamespace: null }),
      traceEvent("Not_A_Tenant", {}),
      traceEvent(tenant, { outcome: "exception" }),
    ]);
    const { body } = await getPage(tenant);
    expect(body.events.map((e) => e.outcome)).toEqual(["exception"]);
    expect((await getPage("wfp-dispatcher")).body.events).toEqual([]);
  });

  it("drops what does not parse as a TraceEvent and files the rest", async () => {
    const tenant = newTenant();
    const junk = [{ scriptName: tenant }, null, 42, { ...traceEvent(tenant), logs: "no" }];
    await ingest.record([...junk, traceEvent(tenant)] as never);
    expect((await getPage(tenant)).body.events).toHaveLength(1);
    await ingest.record("not an array" as never);
  });

  it("joins a line's values with spaces: strings as they are, others as JSON; unknown levels and outcomes mapped", async () => {
    const tenant = newTenant();
    await ingest.record([
      traceEvent(tenant, {
        outcome: "somethingNew",
        logs: [
          { timestamp: 0, level: "warn", message: ["a", 1, { b: [true, null] }, "c"] },
          { timestamp: 0, level: "trace", message: "not an array" },
          { timestamp: 0, level: "error", message: [undefined, 2n] },
        ],
      }),
    ]);
    const [event] = (await getPage(tenant)).body.events;
    expect(event?.outcome).toBe("unknown");
    expect(event?.logs.map(({ level, message }) => ({ level, message }))).toEqual([
      { level: "warn", message: 'a 1 {"b":[true,null]} c' },
      { level: "log", message: "not an array" },
      { level: "error", message: "undefined 2" },
    ]);
    expect(event?.logs[0]?.timestamp).toBe("1970-01-01T00:00:00.000Z");
  });

  it("keeps at most the limits per event, marking what it cut", async () => {
    const tenant = newTenant();
    const long = "é".repeat(MAX_TEXT_BYTES); // 2 bytes each: twice the limit
    await ingest.record([
      traceEvent(tenant, {
        logs: Array.from({ length: MAX_LOG_LINES + 5 }, (_, i) => ({
          timestamp: 1,
          level: "log",
          message: [`line ${i}`],
        })),
        exceptions: Array.from({ length: MAX_EXCEPTIONS + 1 }, () => ({
          timestamp: 1,
          name: "Error",
          message: "boom",
          stack: "at x",
        })),
      }),
      traceEvent(tenant, {
        logs: [{ timestamp: 1, level: "log", message: [long] }],
        exceptions: [{ timestamp: 1, name: "Error", message: long, stack: long }],
      }),
      traceEvent(tenant, { truncated: true }),
      traceEvent(tenant, { logs: [{ timestamp: 1, level: "log", message: ["x".repeat(MAX_TEXT_BYTES)] }] }),
    ]);
    const [exact, runtimeCut, textCut, countCut] = (await getPage(tenant)).body.events;
    expect(countCut?.logs).toHaveLength(MAX_LOG_LINES);
    expect(countCut?.logs.at(-1)?.message).toBe(`line ${MAX_LOG_LINES - 1}`);
    expect(countCut?.exceptions).toHaveLength(MAX_EXCEPTIONS);
    expect(countCut?.truncated).toBe(true);
    const bytes = (s: string | undefined) => new TextEncoder().encode(s).length;
    expect(bytes(textCut?.logs[0]?.message)).toBe(MAX_TEXT_BYTES);
    expect(textCut?.logs[0]?.message).toBe("é".repeat(MAX_TEXT_BYTES / 2));
    expect(bytes(textCut?.exceptions[0]?.message)).toBe(MAX_TEXT_BYTES);
    expect(bytes(textCut?.exceptions[0]?.stack)).toBe(MAX_TEXT_BYTES);
    expect(textCut?.truncated).toBe(true);
    expect(runtimeCut?.truncated).toBe(true);
    expect(exact?.logs[0]?.message).toHaveLength(MAX_TEXT_BYTES);
    expect(exact?.truncated).toBe(false);
  });
});

describe("filing from tail() (production's door)", () => {
  it("files user Workers' TraceItems of the namespace, without any header, and ignores the dispatcher's own", async () => {
    const tenant = newTenant();
    const other = newTenant();
    await runTail([
      traceItem("wfp-dispatcher", { dispatchNamespace: undefined }),
      traceItem(tenant),
      traceItem(other, { dispatchNamespace: "staging-tenants" }),
      traceItem(null),
      traceItem(tenant, {
        outcome: "exception",
        event: { rpcMethod: "hello" },
        exceptions: [{ timestamp: Date.UTC(2030, 0, 1), name: "TypeError", message: "x is undefined", stack: "at y" }],
        truncated: true,
      }),
    ]);
    const { body } = await getPage(tenant);
    expect(body.events).toHaveLength(2);
    const [rpc, fetchEvent] = body.events;
    expect(fetchEvent).toMatchObject({
      outcome: "ok",
      request: { method: "POST", url: `https://${tenant}.platform.example/orders?x=1`, status: 201 },
      logs: [{ level: "info", message: "created order 42" }],
      cpuTimeMs: 3,
      wallTimeMs: 4,
      truncated: false,
    });
    expect(Object.keys(fetchEvent?.request ?? {}).sort()).toEqual(["method", "status", "url"]);
    const text = JSON.stringify(body);
    for (const secret of ["client-secret", "cookie", "x-wfp-request-id", "authorization", "AMS"]) {
      expect(text).not.toContain(secret);
    }
    expect(rpc).toMatchObject({
      outcome: "exception",
      exceptions: [
        { timestamp: "2030-01-01T00:00:00.000Z", name: "TypeError", message: "x is undefined", stack: "at y" },
      ],
      truncated: true,
    });
    expect(rpc?.request).toBeUndefined();
    expect((await getPage(other)).body.events).toEqual([]);
    expect(NAMESPACE).toBe("wfp-tenants");
  });

  it("files the other tenants' events when one tenant's object fails", async () => {
    const good = newTenant();
    const failing = newTenant();
    const errors: unknown[][] = [];
    const original = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    const env = {
      ...tailEnv,
      TENANT_LOGS: {
        idFromName: (name: string) => tailEnv.TENANT_LOGS.idFromName(name),
        get: (id: DurableObjectId) =>
          id.equals(tailEnv.TENANT_LOGS.idFromName(failing))
            ? { append: () => Promise.reject(new Error("object unavailable")) }
            : tailEnv.TENANT_LOGS.get(id),
      },
    } as unknown as typeof tailEnv;
    try {
      const ctx = createExecutionContext();
      await worker.tail?.([traceItem(failing), traceItem(good)], env, ctx);
      await waitOnExecutionContext(ctx);
    } finally {
      console.error = original;
    }
    expect((await getPage(good)).body.events).toHaveLength(1);
    expect(errors.map((args) => String(args[0]))).toEqual([`tail: could not file 1 event(s) of tenant ${failing}:`]);
  });
});
