import { describe, expect, it } from "vitest";
import { assetHashOf, base64Of } from "../../../cloudflare-api/asset-hash";
import { COMPATIBILITY_DATE } from "../../../platform/compatibility-date";
import { assetContentType } from "../../src/cloudflare/assets";
import { CloudflareApiError } from "../../src/cloudflare/errors";
import { addFault, freshAccount, type RequestLog, rejectionOf, testClient, unique } from "./support";

// The client's static assets upload against the emulator: a session, its buckets uploaded with the
// session's JWT (never the API token), the completion JWT a script upload takes; no JWT in an error.

const file = (path: string, text: string) => {
  const bytes = new TextEncoder().encode(text);
  return { path, bytes, hash: assetHashOf(bytes, path) };
};

async function setUp(client?: ReturnType<typeof testClient>) {
  const log: RequestLog = [];
  const api = client ?? testClient({ log });
  const namespace = unique("ns");
  await api.dispatchNamespaces.ensure(namespace);
  const page = file("/index.html", `<h1>${crypto.randomUUID()}</h1>`);
  const manifest = { [page.path]: { hash: page.hash, size: page.bytes.byteLength } };
  const upload = { hash: page.hash, base64: new Blob([base64Of(page.bytes)], { type: assetContentType(page.path) }) };
  return { api, log, namespace, manifest, upload };
}

describe("static assets upload", () => {
  it("a session asks for the missing file; its upload completes it; the script takes the completion JWT", async () => {
    const { api, log, namespace, manifest, upload } = await setUp();
    const session = await api.assets.openSession(namespace, "site", manifest);
    expect(session.buckets).toEqual([[upload.hash]]);
    const completion = await api.assets.uploadBucket(session.jwt, [upload]);
    expect(completion).toEqual(expect.any(String));
    expect(log.filter((line) => line.includes("assets"))).toEqual([
      `POST /accounts/${api.accountId}/workers/dispatch/namespaces/${namespace}/scripts/site/assets-upload-session`,
      `POST /accounts/${api.accountId}/workers/assets/upload`,
    ]);
    const uploaded = await api.scripts.upload(namespace, "site", {
      mainModule: "index.js",
      modules: { "index.js": 'export default { fetch: () => new Response("worker") };' },
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: [{ type: "assets", name: "ASSETS" }],
      tags: [],
      assets: { jwt: completion as string, config: { html_handling: "none" } },
    });
    expect(uploaded.etag).toMatch(/\S/);
    // The API has the file now: a second session asks for nothing, and its JWT is the completion JWT.
    expect((await api.assets.openSession(namespace, "site", manifest)).buckets).toEqual([]);
  });

  it("an upload the API refuses with the JWT in its message fails with the API's error, the JWT hidden", async () => {
    // The gated emulator: its fault answers the upload with a message that echoes the session's JWT,
    // as a careless API could; the client must hide it as it hides the API token.
    const accountId = freshAccount();
    const { namespace, manifest, upload } = await setUp(testClient({ emulator: "gated", accountId }));
    const api = testClient({ emulator: "gated", accountId });
    const session = await api.assets.openSession(namespace, "site", manifest);
    await addFault({
      method: "POST",
      path: `/accounts/${accountId}/workers/assets/upload`,
      times: 1,
      action: { kind: "fail", status: 400, code: 10021, message: `refused the token ${session.jwt}` },
    });
    const error = await rejectionOf(api.assets.uploadBucket(session.jwt, [upload]));
    expect(error).toBeInstanceOf(CloudflareApiError);
    expect((error as CloudflareApiError).status).toBe(400);
    expect(String((error as Error).message)).toContain("refused the token");
    expect(String((error as Error).message)).not.toContain(session.jwt);
    expect(JSON.stringify(error)).not.toContain(session.jwt);
  });
});
