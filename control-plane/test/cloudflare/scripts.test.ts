import { describe, expect, it } from "vitest";
import { COMPATIBILITY_DATE } from "../../../platform/compatibility-date";
import { CloudflareApiError } from "../../src/cloudflare/errors";
import type { ScriptUpload } from "../../src/cloudflare/upload-body";
import { rejectionOf, testClient, unique } from "./support";

const HELLO: ScriptUpload = {
  mainModule: "index.js",
  modules: { "index.js": 'export default { fetch: () => new Response("hello") };' },
  compatibilityDate: COMPATIBILITY_DATE,
  bindings: [{ type: "plain_text", name: "GREETING", text: "hello" }],
  tags: ["tenant:acme", "plan:free"],
};

async function namespaceWithClient() {
  const api = testClient();
  const namespace = unique("ns");
  await api.dispatchNamespaces.ensure(namespace);
  return { api, namespace };
}

describe("tenant scripts", () => {
  it("uploads a script and reads it back; scripts.get of a missing one is null", async () => {
    const { api, namespace } = await namespaceWithClient();
    expect(await api.scripts.get(namespace, "acme")).toBeNull();
    const uploaded = await api.scripts.upload(namespace, "acme", HELLO);
    expect(uploaded.etag).toMatch(/\S/);
    expect(Number.isNaN(Date.parse(uploaded.modifiedOn))).toBe(false);
    const found = await api.scripts.get(namespace, "acme");
    expect(found).toMatchObject({ etag: uploaded.etag, tags: ["tenant:acme", "plan:free"] });
  });

  it("patches settings, replaces tags, sets and deletes secrets, deletes the script; deletes of what is gone succeed", async () => {
    const { api, namespace } = await namespaceWithClient();
    await api.scripts.upload(namespace, "acme", HELLO);
    await api.scripts.patchSettings(namespace, "acme", {
      bindings: [
        { type: "inherit", name: "GREETING" },
        { type: "plain_text", name: "MODE", text: "on" },
      ],
    });
    await api.scripts.putTags(namespace, "acme", ["tenant:acme", "plan:pro"]);
    expect((await api.scripts.get(namespace, "acme"))?.tags).toEqual(["tenant:acme", "plan:pro"]);
    await api.scripts.putSecret(namespace, "acme", "API_KEY", "s3cret-value");
    await api.scripts.deleteSecret(namespace, "acme", "API_KEY");
    await api.scripts.deleteSecret(namespace, "acme", "API_KEY");
    await api.scripts.delete(namespace, "acme");
    await api.scripts.delete(namespace, "acme");
    expect(await api.scripts.get(namespace, "acme")).toBeNull();
  });

  it("a script the API refuses (10021) surfaces with the API's message", async () => {
    const { api, namespace } = await namespaceWithClient();
    const error = await rejectionOf(
      api.scripts.upload(namespace, "acme", {
        ...HELLO,
        bindings: [
          { type: "plain_text", name: "TWICE", text: "a" },
          { type: "plain_text", name: "TWICE", text: "b" },
        ],
      }),
    );
    expect(error).toBeInstanceOf(CloudflareApiError);
    const refusal = error as CloudflareApiError;
    expect(refusal.status).toBe(400);
    expect(refusal.hasCode(10021)).toBe(true);
    expect(refusal.isRetryable).toBe(false);
    expect(refusal.apiMessage).toMatch(/TWICE/);
    expect(refusal.message).toContain(refusal.apiMessage);
  });
});

describe("secrets stay out of error messages", () => {
  it("a refused token does not appear in the error", async () => {
    const token = "wrong-token-0123456789";
    const error = await rejectionOf(testClient({ apiToken: token }).r2.find("t-acme-r2"));
    expect(error).toBeInstanceOf(CloudflareApiError);
    expect((error as CloudflareApiError).status).toBe(403);
    expect(JSON.stringify({ ...(error as object), message: (error as Error).message })).not.toContain(token);
  });
});
