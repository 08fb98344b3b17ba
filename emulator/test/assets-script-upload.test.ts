import { describe, expect, it } from "vitest";
import {
  completedUpload,
  fileOf,
  freshAccount,
  freshAccountWith,
  manifestOf,
  session,
  siteFiles,
  storedManifest,
  versionManifest,
} from "./assets-helpers";
import { call, errorOf, resultOf } from "./helpers";
import { createNamespace, scriptPath, upload, uploadForm } from "./scripts-helpers";

type Uploaded = { etag: string; has_assets: boolean };

const withAssets = (jwt: string) => ({ main_module: "index.js", assets: { jwt } });

async function setUp() {
  const account = freshAccount();
  const namespace = await createNamespace("assets", account);
  return { account, namespace };
}

describe("a script upload with metadata.assets", () => {
  it("takes the completion JWT, records the manifest with the version and says has_assets", async () => {
    const { account, namespace } = await setUp();
    const files = await siteFiles();
    const jwt = await completedUpload(account, namespace, "site", files);
    const res = await upload(namespace, "site", withAssets(jwt), undefined, { account });
    expect((await resultOf<Uploaded>(res)).has_assets).toBe(true);
    expect(await storedManifest(account, namespace, "site")).toEqual(manifestOf(files));
  });

  it("makes a new etag when one file changes, and none without assets", async () => {
    const { account, namespace } = await setUp();
    const files = await siteFiles();
    const plain = await resultOf<Uploaded>(
      await upload(namespace, "site", { main_module: "index.js" }, undefined, { account }),
    );
    expect(plain.has_assets).toBe(false);
    const first = await resultOf<Uploaded>(
      await upload(namespace, "site", withAssets(await completedUpload(account, namespace, "site", files)), undefined, {
        account,
      }),
    );
    const changed = [await fileOf("/index.html", "<h1>new home</h1>"), ...files.slice(1)];
    const second = await resultOf<Uploaded>(
      await upload(
        namespace,
        "site",
        withAssets(await completedUpload(account, namespace, "site", changed)),
        undefined,
        {
          account,
        },
      ),
    );
    expect(new Set([plain.etag, first.etag, second.etag]).size).toBe(3);
    expect(await storedManifest(account, namespace, "site")).toEqual(manifestOf(changed));
  });

  it("refuses an upload JWT whose files are not all uploaded (401/10000: not a completion)", async () => {
    const { account, namespace } = await setUp();
    const opened = await session(account, namespace, "site", await siteFiles());
    const error = await errorOf(await upload(namespace, "site", withAssets(opened.jwt), undefined, { account }), 401);
    expect(error.code).toBe(10000);
    expect(await storedManifest(account, namespace, "site").catch(() => "no script")).toBe("no script");
  });

  it("refuses another script's completion JWT with 400/10021", async () => {
    const { account, namespace } = await setUp();
    const jwt = await completedUpload(account, namespace, "other", await siteFiles());
    const error = await errorOf(await upload(namespace, "site", withAssets(jwt), undefined, { account }), 400);
    expect(error.code).toBe(10021);
    expect(error.message).toMatch(/another script/);
  });

  it("refuses another account's completion JWT and a tampered one with 401/10000", async () => {
    const { account, namespace } = await setUp();
    const foreign = await completedUpload(await freshAccountWith(namespace), namespace, "site", await siteFiles());
    expect(
      (await errorOf(await upload(namespace, "site", withAssets(foreign), undefined, { account }), 401)).code,
    ).toBe(10000);
    const own = await completedUpload(account, namespace, "site", await siteFiles());
    // Another first character of the signature: every bit of it counts (the last one's low bits do not).
    const signatureAt = own.lastIndexOf(".") + 1;
    const flipped = own[signatureAt] === "A" ? "B" : "A";
    const tampered = `${own.slice(0, signatureAt)}${flipped}${own.slice(signatureAt + 1)}`;
    expect(
      (await errorOf(await upload(namespace, "site", withAssets(tampered), undefined, { account }), 401)).code,
    ).toBe(10000);
  });

  it("takes metadata.assets on a version upload too (POST …/versions), recording the manifest with that version", async () => {
    const { account, namespace } = await setUp();
    await resultOf(await upload(namespace, "site", { main_module: "index.js" }, undefined, { account }));
    const files = await siteFiles();
    const jwt = await completedUpload(account, namespace, "site", files);
    const res = await call(scriptPath(namespace, "site", "/versions", account), {
      method: "POST",
      body: uploadForm(withAssets(jwt), {
        "index.js": { code: 'export default { fetch() { return new Response("v2"); } };' },
      }),
    });
    const version = await resultOf<{ id: string }>(res);
    expect(await versionManifest(account, namespace, "site", version.id)).toEqual(manifestOf(files));
  });

  it("refuses metadata.assets without a jwt with 400", async () => {
    const { account, namespace } = await setUp();
    for (const assets of [{}, { config: { html_handling: "none" } }]) {
      const res = await upload(namespace, "site", { main_module: "index.js", assets } as never, undefined, {
        account,
      });
      const error = await errorOf(res, 400);
      expect(error.code).toBe(10021);
      expect(error.message).toMatch(/completion jwt .*\(or keep_assets/);
    }
  });
});
