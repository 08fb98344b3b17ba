import { runInDurableObject } from "cloudflare:test";
import { afterEach, beforeAll, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { expectError } from "./api-support";
import { api, ensureNamespace, newTenant, settled, testEnv, uniqueId, visit } from "./support";

beforeAll(ensureNamespace);

/** What the control plane logs while a test runs (its Worker and Durable Objects share this isolate). */
const LOG_METHODS = ["log", "info", "warn", "error", "debug"] as const;
let logSpies: MockInstance[] = [];
beforeEach(() => {
  logSpies = LOG_METHODS.map((method) => vi.spyOn(console, method));
});
afterEach(() => {
  for (const spy of logSpies) spy.mockRestore();
});
const loggedText = () =>
  logSpies
    .flatMap((spy) =>
      spy.mock.calls.map((args) =>
        args
          .map((arg) => (arg instanceof Error ? `${arg.message} ${arg.stack}` : (JSON.stringify(arg) ?? String(arg))))
          .join(" "),
      ),
    )
    .join("\n");

/**
 * Shows that the spies see what the control plane logs: a line logged inside
 * the tenant's Durable Object (where secret values are handled) is captured.
 * Without this, "never in a log" would pass with spies that see nothing.
 */
async function expectLogsCaptured(id: string): Promise<void> {
  const canary = `canary-${crypto.randomUUID()}`;
  const stub = testEnv.TENANT_OPERATIONS.get(testEnv.TENANT_OPERATIONS.idFromName(id));
  await runInDurableObject(stub, () => console.error(canary));
  expect(loggedText()).toContain(canary);
}

/** What the tenant's script says about env.API_KEY, once the dispatcher serves what the registry says. */
async function secretSeen(id: string, expected: string): Promise<string> {
  const deadline = Date.now() + 10_000;
  let seen = "";
  while (Date.now() < deadline) {
    seen = await (await visit(id, "/secret")).text();
    if (seen === expected) return seen;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return seen;
}

describe("secrets", () => {
  it("reach the script, never a response or a log, and go away when deleted", async () => {
    const value = `sv-${crypto.randomUUID()}`;
    const id = uniqueId("secret");
    const answers: { text: string }[] = [];
    const call = async (...args: Parameters<typeof api>) => {
      const answer = await api(...args);
      answers.push(answer);
      return answer;
    };

    expect((await call("POST", "/v1/tenants", newTenant(id))).status).toBe(202);
    await settled(id, ["active"]);
    expect(await secretSeen(id, "no secret")).toBe("no secret");

    const put = await call("PUT", `/v1/tenants/${id}/secrets/API_KEY`, { value });
    expect(put.status, put.text).toBe(202);
    expect(put.json.secrets).toEqual(["API_KEY"]);
    const tenant = await settled(id, ["active"]);
    expect(tenant.secrets).toEqual(["API_KEY"]);
    expect(await secretSeen(id, "secret set")).toBe("secret set");

    // Every other way to have the control plane answer with the value in hand.
    await call("GET", `/v1/tenants/${id}`);
    await call("GET", "/v1/tenants?limit=100");
    expectError(
      await call("PUT", `/v1/tenants/${id}/secrets/API_KEY`, { value, extra: value }),
      400,
      "invalid_request",
    );
    expectError(
      await call("PUT", `/v1/tenants/${id}/secrets/API_KEY`, { value: value.repeat(200) }),
      400,
      "invalid_request",
      "value",
    );
    expectError(await call("PUT", `/v1/tenants/${id}/secrets/API_KEY`, `{"value": "${value}"`), 400, "invalid_request");
    expectError(await call("PUT", `/v1/tenants/${id}/secrets/GREETING`, { value }), 409, "conflict");
    expectError(await call("PUT", `/v1/tenants/${uniqueId("nobody")}/secrets/API_KEY`, { value }), 404, "not_found");
    expectError(await call("POST", "/v1/tenants", newTenant(id, { secrets: { API_KEY: value } })), 409, "conflict");
    const other = uniqueId("secret");
    expectError(
      await call("POST", "/v1/tenants", newTenant(other, { vars: { API_KEY: "v" }, secrets: { API_KEY: value } })),
      400,
      "invalid_request",
      "secrets.API_KEY",
    );
    expectError(
      await call("POST", "/v1/tenants", newTenant(other, { secrets: { API_KEY: value, "1BAD": value } })),
      400,
      "invalid_request",
    );

    const removed = await call("DELETE", `/v1/tenants/${id}/secrets/API_KEY`);
    expect(removed.status, removed.text).toBe(202);
    expect(removed.json.secrets).toEqual([]);
    expect((await settled(id, ["active"])).secrets).toEqual([]);
    expect(await secretSeen(id, "no secret")).toBe("no secret");
    const again = expectError(await call("DELETE", `/v1/tenants/${id}/secrets/API_KEY`), 404, "not_found");
    expect(again.message).toContain("API_KEY");

    for (const answer of answers) expect(answer.text).not.toContain(value);
    await expectLogsCaptured(id);
    expect(loggedText()).not.toContain(value);
  });

  it("given at creation reach the script, and are never returned", async () => {
    const value = `sv-${crypto.randomUUID()}`;
    const id = uniqueId("secret");
    const created = await api("POST", "/v1/tenants", newTenant(id, { secrets: { API_KEY: value } }));
    expect(created.status, created.text).toBe(202);
    expect(created.json.secrets).toEqual(["API_KEY"]);
    const again = await api("POST", "/v1/tenants", newTenant(id, { secrets: { API_KEY: value } }));
    expect(again.status, again.text).toBe(202);
    const tenant = await settled(id, ["active"]);
    expect(await secretSeen(id, "secret set")).toBe("secret set");
    for (const text of [created.text, again.text, JSON.stringify(tenant)]) expect(text).not.toContain(value);
    await expectLogsCaptured(id);
    expect(loggedText()).not.toContain(value);
  });
});
