import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { ScriptSource } from "../../../platform/tenants-api";
import { REDACTED } from "../../src/cloudflare/errors";
import { expectError } from "./api-support";
import { api, ensureNamespace, newTenant, settled, tenantObjectStorage, testEnv, uniqueId } from "./support";

beforeAll(ensureNamespace);
afterEach(() => vi.restoreAllMocks());

/** A script whose startup throws with the value of its secret THE_SECRET in the message, when it has one. */
const LEAKY: ScriptSource = {
  mainModule: "index.js",
  modules: {
    "index.js": `import { env } from "cloudflare:workers";
if (env.THE_SECRET !== undefined) throw new Error("leak:" + env.THE_SECRET + " and again " + env.THE_SECRET);
export default { fetch: () => new Response("ok") };`,
  },
};

/** Every row of every table of the registry, as text. */
async function registryText(): Promise<string> {
  const tables = ["tenants", "hostnames", "operations", "operation_steps", "rollouts", "rollout_items"];
  const dumps = await Promise.all(
    tables.map(async (table) => JSON.stringify((await testEnv.DB.prepare(`SELECT * FROM ${table}`).all()).results)),
  );
  return dumps.join("\n");
}

const secretValue = () => `s3cr3t-${crypto.randomUUID()}`;

describe("a secret's value never comes back in an error about the tenant's script", () => {
  it("a secret set earlier (sent, kept by the API): the 422, lastError, the registry and the logs are scrubbed", async () => {
    const id = uniqueId("leak");
    const value = secretValue();
    const created = await api("POST", "/v1/tenants", newTenant(id, { secrets: { THE_SECRET: value } }));
    expect(created.status, created.text).toBe(202);
    await settled(id, ["active"]);
    // Sent: the value itself is no longer kept here, only its print.
    const storage = [...(await tenantObjectStorage(id)).keys()];
    expect(storage.filter((key) => key.startsWith("secret:"))).toEqual([]);
    expect(storage).toContain("print:THE_SECRET");

    const logged: string[] = [];
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logged.push(args.map(String).join(" ")));
    }
    console.error("the spy sees this line");
    expect(logged).toEqual(["the spy sees this line"]);

    const refused = await api("PUT", `/v1/tenants/${id}/script`, LEAKY);
    const error = expectError(refused, 422, "script_rejected");
    expect(error.message).toContain(`leak:${REDACTED} and again ${REDACTED}`);
    expect(refused.text).not.toContain(value);

    const tenant = await settled(id, ["active"]);
    expect(tenant.lastError?.message).toContain(`leak:${REDACTED}`);
    expect(JSON.stringify(tenant)).not.toContain(value);
    expect(await registryText()).not.toContain(value);
    expect(logged.join("\n")).not.toContain(value);
  });

  it("a secret sent with the request (still waiting to be sent): the failed tenant's lastError is scrubbed", async () => {
    const id = uniqueId("leak");
    const value = secretValue();
    // The check upload has no bindings and starts; the bound upload throws with the value.
    const created = await api("POST", "/v1/tenants", newTenant(id, { script: LEAKY, secrets: { THE_SECRET: value } }));
    expect(created.status, created.text).toBe(202);
    const tenant = await settled(id, ["failed"]);
    expect(tenant.lastError?.code).toBe("script_rejected");
    expect(tenant.lastError?.message).toContain(`leak:${REDACTED}`);
    expect(JSON.stringify(tenant)).not.toContain(value);
    expect(await registryText()).not.toContain(value);
    // Torn down: nothing of the secret is kept, not even its print.
    expect([...(await tenantObjectStorage(id)).keys()].filter((key) => /^(secret|print)/.test(key))).toEqual([]);
  });

  it("a secret deleted since is no longer scrubbed: only the tenant's current secrets are", async () => {
    const id = uniqueId("leak");
    const value = secretValue();
    expect((await api("POST", "/v1/tenants", newTenant(id, { secrets: { THE_SECRET: value } }))).status).toBe(202);
    await settled(id, ["active"]);
    expect((await api("DELETE", `/v1/tenants/${id}/secrets/THE_SECRET`)).status).toBe(202);
    await settled(id, ["active"]);
    expect([...(await tenantObjectStorage(id)).keys()]).not.toContain("print:THE_SECRET");
    // With no THE_SECRET the script starts: the upload goes through.
    expect((await api("PUT", `/v1/tenants/${id}/script`, LEAKY)).status).toBe(202);
  });
});
