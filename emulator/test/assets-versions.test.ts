import { describe, expect, it } from "vitest";
import type { ScriptMetadataInput } from "../../cloudflare-api/script-metadata";
import {
  completedUpload,
  fileOf,
  freshAccount,
  manifestOf,
  siteFiles,
  storedAssets,
  storedManifest,
  versionAssets,
} from "./assets-helpers";
import { call, errorOf, resultOf } from "./helpers";
import { createNamespace, HELLO, scriptPath, settingsForm, upload, uploadForm } from "./scripts-helpers";

// metadata.assets.config, keep_assets and the assets binding: what each version's assets are.

type Uploaded = { etag: string; has_assets: boolean };
const ASSETS_BINDING = { type: "assets", name: "ASSETS" } as const;

async function setUp() {
  const account = freshAccount();
  const namespace = await createNamespace("assets", account);
  const put = (metadata: ScriptMetadataInput) =>
    upload(namespace, "site", { main_module: "index.js", ...metadata }, undefined, { account });
  const putOk = async (metadata: ScriptMetadataInput) => resultOf<Uploaded>(await put(metadata));
  const jwtFor = async (files = siteFiles()) => completedUpload(account, namespace, "site", await files);
  return { account, namespace, put, putOk, jwtFor };
}

describe("metadata.assets.config", () => {
  it("is kept with the version, and a changed config is a new version", async () => {
    const { account, namespace, putOk, jwtFor } = await setUp();
    const config = { html_handling: "none", not_found_handling: "404-page" } as const;
    const first = await putOk({ assets: { jwt: await jwtFor(), config } });
    expect(await storedAssets(account, namespace, "site")).toMatchObject({ config });
    const second = await putOk({
      assets: { jwt: await jwtFor(), config: { ...config, html_handling: "auto-trailing-slash" } },
    });
    expect(second.etag).not.toBe(first.etag);
    const same = await putOk({
      assets: { jwt: await jwtFor(), config: { ...config, html_handling: "auto-trailing-slash" } },
    });
    expect(same.etag).toBe(second.etag);
  });

  it("is refused when it is not one (an unknown html_handling, a run_worker_first rule without /)", async () => {
    const { put, jwtFor } = await setUp();
    const jwt = await jwtFor();
    for (const config of [{ html_handling: "sometimes" }, { run_worker_first: ["api/*"] }]) {
      expect((await errorOf(await put({ assets: { jwt, config } as never }), 400)).code).toBe(10021);
    }
  });
});

describe("keep_assets", () => {
  it("keeps the latest version's files and config for an upload that changes only code", async () => {
    const { account, namespace, putOk, jwtFor } = await setUp();
    const files = await siteFiles();
    await putOk({ assets: { jwt: await jwtFor(), config: { not_found_handling: "single-page-application" } } });
    const kept = await putOk({ keep_assets: true });
    expect(kept.has_assets).toBe(true);
    const stored = await storedAssets(account, namespace, "site");
    expect(stored?.files).toEqual(manifestOf(files));
    expect(stored?.config).toEqual({ not_found_handling: "single-page-application" });
  });

  it("keeps the files with a new config when one is given", async () => {
    const { account, namespace, putOk, jwtFor } = await setUp();
    await putOk({ assets: { jwt: await jwtFor(), config: { not_found_handling: "single-page-application" } } });
    await putOk({ keep_assets: true, assets: { config: { html_handling: "drop-trailing-slash" } } });
    const stored = await storedAssets(account, namespace, "site");
    expect(stored?.config).toEqual({ html_handling: "drop-trailing-slash" });
    expect(stored?.files).toEqual(manifestOf(await siteFiles()));
  });

  it("is refused with a jwt (400/10021): keep the assets or upload new ones", async () => {
    const { put, jwtFor } = await setUp();
    const error = await errorOf(await put({ keep_assets: true, assets: { jwt: await jwtFor() } }), 400);
    expect(error).toEqual({ code: 10021, message: expect.stringMatching(/keep_assets cannot be sent with/) });
  });

  it("keeps nothing for a script without assets, and refuses a config there is nothing to apply to", async () => {
    const { putOk, put } = await setUp();
    expect((await putOk({ keep_assets: true })).has_assets).toBe(false);
    const error = await errorOf(await put({ keep_assets: true, assets: { config: { html_handling: "none" } } }), 400);
    expect(error.message).toMatch(/no assets to keep/);
  });

  it("is needed to keep them: an upload with neither assets nor keep_assets drops them", async () => {
    const { account, namespace, putOk, jwtFor } = await setUp();
    await putOk({ assets: { jwt: await jwtFor() } });
    expect((await putOk({})).has_assets).toBe(false);
    expect(await storedManifest(account, namespace, "site")).toBeNull();
  });

  it("is not needed for a content PUT, which keeps everything but the code", async () => {
    const { account, namespace, putOk, jwtFor } = await setUp();
    const before = await putOk({ assets: { jwt: await jwtFor() }, bindings: [ASSETS_BINDING] });
    const form = uploadForm({ main_module: "index.js" }, { "index.js": { code: HELLO.replace("hello", "again") } });
    const res = await call(scriptPath(namespace, "site", "/content", account), { method: "PUT", body: form });
    const after = await resultOf<Uploaded>(res);
    expect(after).toMatchObject({ has_assets: true });
    expect(after.etag).not.toBe(before.etag);
    expect(await storedManifest(account, namespace, "site")).toEqual(manifestOf(await siteFiles()));
  });

  it("keeps the latest version's assets in a version upload (POST …/versions), each version its own", async () => {
    const { account, namespace, putOk, jwtFor } = await setUp();
    await putOk({ assets: { jwt: await jwtFor() } });
    const changed = [fileOf("/index.html", "<h1>v2</h1>")];
    const versionWith = async (metadata: ScriptMetadataInput) => {
      const res = await call(scriptPath(namespace, "site", "/versions", account), {
        method: "POST",
        body: uploadForm({ main_module: "index.js", ...metadata }, { "index.js": { code: HELLO } }),
      });
      return (await resultOf<{ id: string }>(res)).id;
    };
    const kept = await versionWith({ keep_assets: true });
    const fresh = await versionWith({ assets: { jwt: await jwtFor(Promise.resolve(changed)) } });
    expect((await versionAssets(account, namespace, "site", kept))?.files).toEqual(manifestOf(await siteFiles()));
    expect((await versionAssets(account, namespace, "site", fresh))?.files).toEqual(manifestOf(changed));
  });
});

describe("the assets binding", () => {
  it("is taken with assets, and the API shows it", async () => {
    const { account, namespace, putOk, jwtFor } = await setUp();
    await putOk({ assets: { jwt: await jwtFor() }, bindings: [ASSETS_BINDING] });
    const res = await call(scriptPath(namespace, "site", "/bindings", account));
    expect(await resultOf(res)).toEqual([ASSETS_BINDING]);
  });

  it("is refused without assets (400/10021, production's words), and twice", async () => {
    const { put, jwtFor } = await setUp();
    const lone = await errorOf(await put({ bindings: [ASSETS_BINDING] }), 400);
    expect(lone.code).toBe(10021);
    expect(lone.message).toMatch(/^Cannot use an assets binding without assets/);
    const twice = await errorOf(
      await put({ assets: { jwt: await jwtFor() }, bindings: [ASSETS_BINDING, { type: "assets", name: "STATIC" }] }),
      400,
    );
    expect(twice.message).toMatch(/at most one assets binding/);
  });

  it("is inherited by a code-only upload with keep_assets, and refused by one that drops the assets", async () => {
    const { account, namespace, put, putOk, jwtFor } = await setUp();
    await putOk({ assets: { jwt: await jwtFor() }, bindings: [ASSETS_BINDING] });
    const inherited = await putOk({ keep_assets: true, bindings: [{ type: "inherit", name: "ASSETS" }] });
    expect(inherited.has_assets).toBe(true);
    expect(await resultOf(await call(scriptPath(namespace, "site", "/bindings", account)))).toEqual([ASSETS_BINDING]);
    const dropped = await errorOf(await put({ bindings: [{ type: "inherit", name: "ASSETS" }] }), 400);
    expect(dropped.message).toMatch(/^Cannot use an assets binding without assets/);
  });

  it("is refused by a settings PATCH on a script without assets", async () => {
    const { account, namespace, putOk } = await setUp();
    await putOk({});
    const res = await call(scriptPath(namespace, "site", "/settings", account), {
      method: "PATCH",
      body: settingsForm({ bindings: [ASSETS_BINDING] }),
    });
    expect((await errorOf(res, 400)).message).toMatch(/^Cannot use an assets binding without assets/);
  });
});
