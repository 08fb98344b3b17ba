import { runInDurableObject } from "cloudflare:test";
import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { ScriptSource } from "../../../platform/tenants-api";
import { REDACTED } from "../../src/cloudflare/errors";
import { MAX_MESSAGE_CHARS, TenantSecrets } from "../../src/operations/tenant-secrets";
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

describe("a message cut to its length limit keeps no part of a secret the cut went through", () => {
  /** Scrubs each message with THE_SECRET set to `value`, waiting to be sent or sent (its print alone kept). */
  async function scrubbed(value: string, sent: boolean, messages: string[]): Promise<string[]> {
    const stub = testEnv.TENANT_OPERATIONS.get(testEnv.TENANT_OPERATIONS.idFromName(uniqueId("scrub")));
    return runInDurableObject(stub, async (_instance, state) => {
      const secrets = new TenantSecrets(state.storage);
      await secrets.put({ THE_SECRET: value });
      if (sent) await secrets.drop(["THE_SECRET"]);
      return Promise.all(messages.map((message) => secrets.scrub(message)));
    });
  }

  /** Whether `text` holds any 16 characters of `value` in a row. */
  const holdsPartOf = (text: string, value: string) =>
    Array.from({ length: value.length - 15 }, (_, i) => value.slice(i, i + 16)).some((part) => text.includes(part));

  it.each([
    ["sent", true],
    ["waiting to be sent", false],
  ])("a secret %s, up to 5120 characters, wherever the limit falls in it", async (_, sent) => {
    const value = Array.from(crypto.getRandomValues(new Uint8Array(5000)), (byte) =>
      String.fromCharCode(97 + (byte % 26)),
    ).join("");
    // The value starting before the limit, across it and after it; once, and again later in the text.
    const starts = [0, MAX_MESSAGE_CHARS - 4000, MAX_MESSAGE_CHARS - 1000, MAX_MESSAGE_CHARS - 1, MAX_MESSAGE_CHARS];
    const messages = starts.flatMap((start) => {
      const head = `${"x".repeat(start)}${value}`;
      return [head, `${head} and again ${value}`, `${head}${"y".repeat(80_000)}`];
    });
    // So many copies that the scrub reads only part of the message, its end within a copy.
    messages.push(value.repeat(14));
    for (const [i, text] of (await scrubbed(value, sent, messages)).entries()) {
      expect(holdsPartOf(text, value), `message ${i}`).toBe(false);
      expect(text.length, `message ${i}`).toBeLessThanOrEqual(MAX_MESSAGE_CHARS + 1);
      if ((messages[i] as string).startsWith(`${value}y`)) expect(text).toMatch(/^\[redacted\]y{4086}…$/);
    }
  });

  it("a short message is scrubbed and kept whole", async () => {
    const [text] = await scrubbed("abc-secret-123", true, ["before abc-secret-123 after"]);
    expect(text).toBe(`before ${REDACTED} after`);
  });
});
