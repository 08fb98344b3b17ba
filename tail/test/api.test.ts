import { describe, expect, it } from "vitest";
import { newTenant, tail } from "./support";

const get = (path: string, init?: RequestInit) => tail.fetch(`http://tail${path}`, init);

describe("the tail Worker's HTTP API", () => {
  it("answers its health check", async () => {
    const response = await get("/__platform/health");
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ok: true, service: "wfp-tail" });
  });

  it("refuses a tenant id that is not one, on every route", async () => {
    for (const [path, method] of [
      ["/tenants/A_B/logs", "GET"],
      ["/tenants/x/logs/live", "GET"],
      ["/tenants/-bad-/logs", "DELETE"],
    ] as const) {
      const response = await get(path, { method, headers: { Upgrade: "websocket" } });
      expect(response.status, path).toBe(400);
      expect(await response.json()).toMatchObject({ error: { code: "invalid_request" } });
    }
  });

  it("refuses a query that is not a LogQuery", async () => {
    const tenant = newTenant();
    for (const query of ["limit=0", "limit=1001", "limit=x", "before=0", "outcome=fine", "since=1"]) {
      const response = await get(`/tenants/${tenant}/logs?${query}`);
      expect(response.status, query).toBe(400);
      const body = await response.json<{ error: { code: string; message: string } }>();
      expect(body.error.code).toBe("invalid_request");
      expect(body.error.message.length).toBeGreaterThan(0);
    }
  });

  it("answers 426 to a live request that is no WebSocket", async () => {
    const response = await get(`/tenants/${newTenant()}/logs/live`);
    expect(response.status).toBe(426);
    expect(await response.json()).toMatchObject({ error: { code: "upgrade_required" } });
  });

  it("answers 404 JSON to anything else", async () => {
    for (const [path, method] of [
      ["/", "GET"],
      ["/tenants/acme", "GET"],
      ["/tenants/acme/logs", "POST"],
      ["/tenants/acme/logs/live", "DELETE"],
    ] as const) {
      const response = await get(path, { method });
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: "not_found" } });
    }
  });

  it("answers an empty page for a tenant with no events, and 204 to DELETE of them", async () => {
    const tenant = newTenant();
    const response = await get(`/tenants/${tenant}/logs`);
    expect(await response.json()).toEqual({ events: [], next: null });
    expect((await get(`/tenants/${tenant}/logs`, { method: "DELETE" })).status).toBe(204);
  });
});
