import { exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { type LogEvent, LogPage } from "../../../platform/tenant-logs";
import { anonymous, expectError } from "./api-support";
import { api, ensureNamespace, newTenant, settled, TOKEN, testEnv, uniqueId } from "./support";

// A tenant's logs as the control plane serves them, from the tail Worker's stand-in
// (test/tail-stand-in.ts), which the LOGS binding reaches in these tests.

const controlPlane = (exports as unknown as { default: Fetcher }).default;

type NewEvent = Omit<LogEvent, "id">;

const event = (overrides: Partial<NewEvent> = {}): NewEvent => ({
  timestamp: "2026-11-01T10:00:00.000Z",
  outcome: "ok",
  request: { method: "GET", url: "https://acme.example/", status: 200 },
  logs: [{ timestamp: "2026-11-01T10:00:00.000Z", level: "log", message: "hello" }],
  exceptions: [],
  truncated: false,
  ...overrides,
});

/** Files events for a script in the stand-in, as the tail Worker would on a tenant's invocations. */
async function file(script: string, events: NewEvent[]): Promise<LogEvent[]> {
  const response = await testEnv.TAIL.fetch(`https://tail/tenants/${script}/logs`, {
    method: "POST",
    body: JSON.stringify(events),
  });
  expect(response.status).toBe(201);
  return response.json();
}

/** The stand-in's next page read for the script answers this. */
async function fault(script: string, status: number, body: string): Promise<void> {
  const response = await testEnv.TAIL.fetch(`https://tail/tenants/${script}/logs/fault`, {
    method: "POST",
    body: JSON.stringify({ status, body }),
  });
  expect(response.status).toBe(204);
}

/** A tenant with no code or resources: quick to make, and enough to have logs. */
async function bareTenant(prefix: string): Promise<string> {
  const id = uniqueId(prefix);
  const created = await api("POST", "/v1/tenants", {
    id,
    plan: "free",
    resources: { kv: false, r2: false, d1: false },
  });
  expect(created.status, created.text).toBe(202);
  await settled(id, ["active"]);
  return id;
}

const live = (id: string, headers: Record<string, string> = {}) =>
  controlPlane.fetch(`http://control-plane/v1/tenants/${id}/logs/live`, {
    headers: { authorization: `Bearer ${TOKEN}`, upgrade: "websocket", ...headers },
  });

let id: string;
let filed: LogEvent[];
beforeAll(async () => {
  await ensureNamespace();
  id = await bareTenant("logs");
  filed = await file(id, [
    event({ outcome: "ok" }),
    event({
      outcome: "exception",
      exceptions: [{ timestamp: "2026-11-01T10:00:01.000Z", name: "TypeError", message: "x is undefined" }],
    }),
    event({ outcome: "ok", logs: [{ timestamp: "2026-11-01T10:00:02.000Z", level: "warn", message: "slow" }] }),
  ]);
});

describe("GET /v1/tenants/{id}/logs", () => {
  it("answers the tenant's page, newest first, with the query forwarded", async () => {
    const all = await api("GET", `/v1/tenants/${id}/logs`);
    expect(all.status, all.text).toBe(200);
    const page = LogPage.parse(all.json);
    expect(page.events.map((e) => e.id)).toEqual(filed.map((e) => e.id).reverse());
    expect(page.next).toBeNull();

    const first = LogPage.parse((await api("GET", `/v1/tenants/${id}/logs?limit=2`)).json);
    expect(first.events.map((e) => e.id)).toEqual([filed[2]?.id, filed[1]?.id]);
    expect(first.next).toBe(filed[1]?.id);
    const second = LogPage.parse((await api("GET", `/v1/tenants/${id}/logs?limit=2&before=${first.next}`)).json);
    expect(second).toEqual({ events: [filed[0]], next: null });

    const exceptions = LogPage.parse((await api("GET", `/v1/tenants/${id}/logs?outcome=exception`)).json);
    expect(exceptions.events.map((e) => e.exceptions[0]?.name)).toEqual(["TypeError"]);
  });

  it("shows only the tenant's own events", async () => {
    const other = await bareTenant("logs-other");
    await file(other, [event({ logs: [{ timestamp: "2026-11-01T10:00:00.000Z", level: "log", message: "mine" }] })]);
    const page = LogPage.parse((await api("GET", `/v1/tenants/${id}/logs`)).json);
    expect(page.events.some((e) => e.logs.some((line) => line.message === "mine"))).toBe(false);
    const its = LogPage.parse((await api("GET", `/v1/tenants/${other}/logs`)).json);
    expect(its.events.flatMap((e) => e.logs.map((line) => line.message))).toEqual(["mine"]);
  });

  it("refuses a bad query with the field named", async () => {
    expectError(await api("GET", `/v1/tenants/${id}/logs?limit=0`), 400, "invalid_request", "limit");
    expectError(await api("GET", `/v1/tenants/${id}/logs?limit=1001`), 400, "invalid_request", "limit");
    expectError(await api("GET", `/v1/tenants/${id}/logs?before=x`), 400, "invalid_request", "before");
    expectError(await api("GET", `/v1/tenants/${id}/logs?outcome=fine`), 400, "invalid_request", "outcome");
    expectError(await api("GET", `/v1/tenants/${id}/logs?colour=red`), 400, "invalid_request");
  });

  it("is 404 for an unknown tenant, 401 without the token", async () => {
    expectError(await api("GET", `/v1/tenants/${uniqueId("none")}/logs`), 404, "not_found");
    expectError(await anonymous("GET", `/v1/tenants/${id}/logs`), 401, "unauthorized");
  });

  it("is a 502 logs_unavailable when the tail Worker answers badly, never its text", async () => {
    for (const [status, body] of [
      [500, "tail exploded: secret internals"],
      [200, "not json at all"],
      [200, JSON.stringify({ events: [{ id: "one" }], next: null })],
      [400, JSON.stringify({ error: { code: "invalid_request", message: "tail says no" } })],
    ] as const) {
      await fault(id, status, body);
      const answer = await api("GET", `/v1/tenants/${id}/logs`);
      const error = expectError(answer, 502, "logs_unavailable");
      expect(answer.text).not.toContain("secret internals");
      expect(answer.text).not.toContain("tail says no");
      expect(error.message).toMatch(/logs service/);
    }
    // And the next read is served again.
    expect((await api("GET", `/v1/tenants/${id}/logs`)).status).toBe(200);
  });
});

describe("GET /v1/tenants/{id}/logs/live", () => {
  it("is 426 without Upgrade: websocket", async () => {
    const answer = await api("GET", `/v1/tenants/${id}/logs/live`);
    expectError(answer, 426, "upgrade_required");
  });

  it("is 404 for an unknown tenant and 401 without the token, before any upgrade", async () => {
    const unknown = await live(uniqueId("none"));
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe("not_found");
    const anonymousLive = await controlPlane.fetch(`http://control-plane/v1/tenants/${id}/logs/live`, {
      headers: { upgrade: "websocket" },
    });
    expect(anonymousLive.status).toBe(401);
  });

  it("is a WebSocket that carries the tenant's events as they are filed", async () => {
    const response = await live(id);
    expect(response.status).toBe(101);
    const socket = response.webSocket;
    if (socket === null) throw new Error("no WebSocket in the 101");
    socket.accept();
    const received = new Promise<LogEvent>((resolve) =>
      socket.addEventListener("message", (message) => resolve(JSON.parse(message.data as string))),
    );
    const [sent] = await file(id, [event({ outcome: "exceededCpu" })]);
    expect(await received).toEqual(sent);
    socket.close(1000, "done");
  });
});

describe("deleting a tenant", () => {
  it("removes its logs, and its logs are then 404", async () => {
    const doomed = await bareTenant("logs-del");
    await file(doomed, [event(), event()]);
    expect(LogPage.parse((await api("GET", `/v1/tenants/${doomed}/logs`)).json).events).toHaveLength(2);

    expect((await api("DELETE", `/v1/tenants/${doomed}`)).status).toBe(202);
    expect((await settled(doomed, ["deleted", "failed"])).state).toBe("deleted");
    expectError(await api("GET", `/v1/tenants/${doomed}/logs`), 404, "not_found");
    expect((await live(doomed)).status).toBe(404);

    // The stand-in itself holds nothing for it any more.
    const stored = await testEnv.TAIL.fetch(`https://tail/tenants/${doomed}/logs`);
    expect(await stored.json()).toEqual({ events: [], next: null });

    // Its id used again starts with no logs.
    const again = await api("POST", "/v1/tenants", newTenant(doomed, { script: undefined, plan: "free" }));
    expect(again.status, again.text).toBe(202);
    await settled(doomed, ["active"]);
    expect(LogPage.parse((await api("GET", `/v1/tenants/${doomed}/logs`)).json).events).toEqual([]);
  });
});
