import { describe, expect, it } from "vitest";
import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { COMPATIBILITY_DATE } from "../../../platform/compatibility-date";
import type { VersionId } from "../../../platform/routes";
import { CloudflareApiError } from "../../src/cloudflare/errors";
import type { ScriptUpload } from "../../src/cloudflare/upload-body";
import { type RequestLog, rejectionOf, testClient, unique } from "./support";

const hello = (word: string): ScriptUpload => ({
  mainModule: "index.js",
  modules: { "index.js": `export default { fetch: () => new Response(${JSON.stringify(word)}) };` },
  compatibilityDate: COMPATIBILITY_DATE,
  bindings: [],
  tags: ["tenant:acme"],
  keepBindings: ["secret_text"],
});

/** The version an upload says it deployed (the emulator always says). */
function versionOf(uploaded: { versionId: VersionId | null }): VersionId {
  expect(uploaded.versionId).not.toBeNull();
  return uploaded.versionId as VersionId;
}

async function namespaceWithClient(log?: RequestLog) {
  const api = testClient(log === undefined ? {} : { log });
  const namespace = unique("ns");
  await api.dispatchNamespaces.ensure(namespace);
  return { api, namespace };
}

describe("script versions and deployments", () => {
  it("an upload names the version it deployed; a version upload is not deployed until a deployment says so", async () => {
    const log: RequestLog = [];
    const { api, namespace } = await namespaceWithClient(log);
    const first = await api.scripts.upload(namespace, "acme", hello("one"));
    const one = versionOf(first);
    expect(await api.versions.active(namespace, "acme")).toMatchObject({ versions: [{ id: one, percentage: 100 }] });

    const second = await api.versions.create(namespace, "acme", { ...hello("two"), message: "staged" });
    expect(second.id).not.toBe(first.versionId);
    expect(second.etag).toMatch(/\S/);
    expect((await api.versions.active(namespace, "acme"))?.versions).toEqual([
      { id: first.versionId, percentage: 100 },
    ]);

    const split = await api.versions.deploy(
      namespace,
      "acme",
      [
        { id: one, percentage: 60 },
        { id: second.id, percentage: 40 },
      ],
      { force: false, message: "a canary" },
    );
    expect(split.versions).toEqual([
      { id: first.versionId, percentage: 60 },
      { id: second.id, percentage: 40 },
    ]);
    expect((await api.versions.active(namespace, "acme"))?.id).toBe(split.id);
    // The version upload is a POST of the multipart body; the deployment a POST of JSON.
    expect(log.filter((line) => line.startsWith("POST") && /\/(versions|deployments)$/.test(line))).toHaveLength(2);
  });

  it("a deployment whose secrets differ from the latest version's is refused 10220 naming them, unless forced", async () => {
    const { api, namespace } = await namespaceWithClient();
    const first = await api.scripts.upload(namespace, "acme", hello("one"));
    await api.scripts.putSecret(namespace, "acme", "API_KEY", "s3cret-value");
    const back = [{ id: versionOf(first), percentage: 100 }];
    const error = await rejectionOf(api.versions.deploy(namespace, "acme", back, { force: false }));
    expect(error).toBeInstanceOf(CloudflareApiError);
    const refusal = error as CloudflareApiError;
    expect(refusal.hasCode(ErrorCode.secretsChangedSinceVersion)).toBe(true);
    expect(refusal.isRetryable).toBe(false);
    expect(refusal.apiMessage).toContain("API_KEY");
    expect(refusal.message).not.toContain("s3cret-value");
    const forced = await api.versions.deploy(namespace, "acme", back, { force: true });
    expect(forced.versions).toEqual(back);
  });

  it("the deployments of a script that is not there are the API's 404", async () => {
    const { api, namespace } = await namespaceWithClient();
    const error = await rejectionOf(api.versions.active(namespace, "nobody"));
    expect(error).toBeInstanceOf(CloudflareApiError);
    expect((error as CloudflareApiError).status).toBe(404);
  });
});
