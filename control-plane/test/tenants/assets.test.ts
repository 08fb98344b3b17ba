import { beforeAll, describe, expect, it } from "vitest";
import { previewHostname } from "../../../platform/routes";
import type { ScriptAssets, ScriptSource } from "../../../platform/tenants-api";
import { expectError, expectNothingCreated } from "./api-support";
import { type AssetFile, assetFile, emulatorScript, manifestOf, storeAssets, uploadedFiles } from "./assets-support";
import { eventually } from "./eventually";
import { rolloutReaches, startRollout } from "./rollout-support";
import { api, ensureNamespace, settled, testEnv, uniqueId, visit } from "./support";

// A tenant's static assets through the control plane: stored files named by the script's manifest
// are uploaded through an upload session, bound as ASSETS; a code-only upload keeps them
// (keep_assets), null removes them, and a manifest naming a file not stored is refused at the request.

beforeAll(ensureNamespace);

/** Answers its own paths, and reads an asset through its ASSETS binding. */
const SITE_APP: ScriptSource = {
  mainModule: "index.js",
  modules: {
    "index.js": `export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/via-binding") return env.ASSETS.fetch(new URL("/hello.txt", url));
    return new Response("worker " + url.pathname);
  },
};`,
  },
};

const site = (files: readonly AssetFile[], settings: Omit<ScriptAssets, "manifest"> = {}): ScriptSource => ({
  ...SITE_APP,
  assets: { manifest: manifestOf(files), ...settings },
});

const create = (id: string, script: unknown) =>
  api("POST", "/v1/tenants", { id, plan: "pro", resources: { kv: false, r2: false, d1: false }, script });

async function deployed(id: string, script: unknown, query = "") {
  const answer = await api("PUT", `/v1/tenants/${id}/script${query}`, script);
  expect(answer.status, answer.text).toBe(202);
  return settled(id, ["active"]);
}

describe("static assets", () => {
  it("a tenant created with assets: its files uploaded, the script has them, bound as ASSETS", async () => {
    const files = [assetFile("/index.html", "<h1>home</h1>"), assetFile("/hello.txt", "hello")];
    await storeAssets(files);
    const id = uniqueId("site");
    const created = await create(id, site(files, { htmlHandling: "none", notFoundHandling: "404-page" }));
    expect(created.status, created.text).toBe(202);
    await settled(id, ["active"]);
    expect(await emulatorScript(id)).toEqual({ hasAssets: true, assetsBindings: ["assets"] });
    const asset = await visit(id, "/hello.txt");
    expect(await asset.text()).toBe(new TextDecoder().decode(files[1]?.bytes));
    expect(asset.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(await (await visit(id, "/via-binding")).text()).toBe(new TextDecoder().decode(files[1]?.bytes));
    expect(await (await visit(id, "/api/x")).text()).toBe("worker /api/x");
  });

  it("a second deploy with one file changed uploads that file alone", async () => {
    const files = [assetFile("/a.html", "a"), assetFile("/b.css", "b{}"), assetFile("/c.js", "c()")];
    const changed = [files[0], assetFile("/b.css", "b{color:red}"), files[2]] as AssetFile[];
    await storeAssets([...files, ...changed]);
    const id = uniqueId("site");
    const start = (await uploadedFiles()).length;
    expect((await create(id, site(files))).status).toBe(202);
    await settled(id, ["active"]);
    // The first deploy uploaded the three; the second, the changed one alone.
    expect((await uploadedFiles()).slice(start).sort()).toEqual(files.map((file) => file.hash).sort());
    const before = (await uploadedFiles()).length;
    await deployed(id, site(changed));
    expect((await uploadedFiles()).slice(before)).toEqual([changed[1]?.hash]);
    expect(await emulatorScript(id)).toEqual({ hasAssets: true, assetsBindings: ["assets"] });
  });

  it("code without assets keeps them (keep_assets), a PATCH's re-upload too; assets: null removes them", async () => {
    const files = [assetFile("/hello.txt", "hello")];
    await storeAssets(files);
    const id = uniqueId("site");
    expect((await create(id, site(files))).status).toBe(202);
    await settled(id, ["active"]);
    const before = (await uploadedFiles()).length;
    await deployed(id, SITE_APP);
    expect(await emulatorScript(id)).toEqual({ hasAssets: true, assetsBindings: ["assets"] });
    const patched = await api("PATCH", `/v1/tenants/${id}`, { vars: { MODE: "x" } });
    expect(patched.status, patched.text).toBe(202);
    await settled(id, ["active"]);
    expect(await emulatorScript(id)).toEqual({ hasAssets: true, assetsBindings: ["assets"] });
    expect((await uploadedFiles()).slice(before), "files uploaded by code-only uploads").toEqual([]);
    await deployed(id, { ...SITE_APP, assets: null });
    expect(await emulatorScript(id)).toEqual({ hasAssets: false, assetsBindings: [] });
    // Nothing to keep is fine: code alone again.
    await deployed(id, SITE_APP);
    expect(await emulatorScript(id)).toEqual({ hasAssets: false, assetsBindings: [] });
  });

  it("a PATCH re-uploading a bundle with assets opens a session that asks for nothing: the files stay", async () => {
    const files = [assetFile("/hello.txt", "patched")];
    await storeAssets(files);
    const id = uniqueId("site");
    expect((await create(id, site(files))).status).toBe(202);
    await settled(id, ["active"]);
    const before = (await uploadedFiles()).length;
    const patched = await api("PATCH", `/v1/tenants/${id}`, { vars: { MODE: "y" } });
    expect(patched.status, patched.text).toBe(202);
    expect((await settled(id, ["active"])).vars).toEqual({ MODE: "y" });
    expect((await uploadedFiles()).slice(before)).toEqual([]);
    expect(await emulatorScript(id)).toEqual({ hasAssets: true, assetsBindings: ["assets"] });
    expect(await (await visit(id, "/hello.txt")).text()).toBe(new TextDecoder().decode(files[0]?.bytes));
  });

  it("a rollout without assets: each tenant keeps its own; with them: every tenant gets them", async () => {
    const mine = assetFile("/hello.txt", "mine");
    const theirs = assetFile("/hello.txt", "theirs");
    const fleet = assetFile("/hello.txt", "fleet");
    await storeAssets([mine, theirs, fleet]);
    const ids = [uniqueId("site"), uniqueId("site")];
    const sites = [mine, theirs];
    for (const [index, id] of ids.entries())
      expect((await create(id, site([sites[index] as AssetFile]))).status).toBe(202);
    for (const id of ids) await settled(id, ["active"]);
    const text = (file: AssetFile) => new TextDecoder().decode(file.bytes);
    const rollout = await startRollout({ script: SITE_APP, filter: { tenants: ids }, canary: { tenants: 0 } });
    expect((await rolloutReaches(rollout.id)).state).toBe("completed");
    for (const [index, id] of ids.entries()) {
      expect(await (await visit(id, "/hello.txt")).text()).toBe(text(sites[index] as AssetFile));
    }
    const second = await startRollout({ script: site([fleet]), filter: { tenants: ids }, canary: { tenants: 0 } });
    expect((await rolloutReaches(second.id)).state).toBe("completed");
    for (const id of ids) expect(await (await visit(id, "/hello.txt")).text()).toBe(text(fleet));
  });

  it("a version uploaded with deploy=false carries its assets", async () => {
    const files = [assetFile("/v.txt", "v1")];
    await storeAssets(files);
    const id = uniqueId("site");
    expect((await create(id, { ...SITE_APP, assets: null })).status).toBe(202);
    await settled(id, ["active"]);
    await deployed(id, site(files), "?deploy=false");
    const [staged] = (
      (await api("GET", `/v1/tenants/${id}/versions`)).json as unknown as { versions: { id: string }[] }
    ).versions;
    // The live version (all the traffic) has none: the Worker answers; the staged one serves the file on its preview.
    expect(await (await visit(id, "/v.txt")).text()).toBe("worker /v.txt");
    const contents = new TextDecoder().decode(files[0]?.bytes);
    const preview = `http://${previewHostname(staged?.id ?? "", id, "localhost")}/v.txt`;
    const served = await eventually(async () => {
      const text = await (await testEnv.DISPATCHER_HTTP.fetch(preview)).text();
      return text === contents ? text : null;
    });
    expect(served).toBe(contents);
  });

  it("a manifest naming a file not stored: 400 assets_missing naming its path, nothing recorded", async () => {
    const stored = assetFile("/ok.html", "ok");
    const absent = assetFile("/missing.png", "not stored");
    await storeAssets([stored]);
    const id = uniqueId("site");
    const refused = await create(id, site([stored, absent]));
    const error = expectError(refused, 400, "assets_missing", "script.assets.manifest./missing.png");
    expect(error.details).toEqual([
      { path: "script.assets.manifest./missing.png", message: expect.stringContaining(absent.hash) },
    ]);
    await expectNothingCreated(id);
    // A stored file given another size than its own: the API would refuse its upload.
    const missized = { ...SITE_APP, assets: { manifest: { [stored.path]: { hash: stored.hash, size: 1 } } } };
    expectError(await create(id, missized), 400, "invalid_request", "script.assets.manifest./ok.html.size");
    await expectNothingCreated(id);

    expect((await create(id, site([stored]))).status).toBe(202);
    const live = await settled(id, ["active"]);
    const put = await api("PUT", `/v1/tenants/${id}/script`, site([stored, absent]));
    expectError(put, 400, "assets_missing", "assets.manifest./missing.png");
    const after = await api("GET", `/v1/tenants/${id}`);
    expect(after.json.script).toEqual(live.script);
    expect(after.json.operation).toEqual(live.operation);

    const rollout = await api("POST", "/v1/rollouts", { script: site([absent]), filter: { tenants: [id] } });
    expectError(rollout, 400, "assets_missing", "script.assets.manifest./missing.png");
  });

  it("a manifest over the limits or with a bad path: 400 naming it", async () => {
    const id = uniqueId("site");
    const bad = (manifest: unknown) => create(id, { ...SITE_APP, assets: { manifest } });
    const entry = { hash: "0".repeat(32), size: 1 };
    expectError(await bad({}), 400, "invalid_request", "script.assets.manifest");
    expectError(await bad({ "no-slash": entry }), 400, "invalid_request", "script.assets.manifest");
    expectError(await bad({ "/a/../b": entry }), 400, "invalid_request", "script.assets.manifest");
    expectError(await bad({ "/big": { ...entry, size: 25 * 1024 * 1024 + 1 } }), 400, "invalid_request");
    const tooMany = Object.fromEntries(Array.from({ length: 20_001 }, (_, i) => [`/f${i}`, entry]));
    expectError(await bad(tooMany), 400, "invalid_request", "script.assets.manifest");
    await expectNothingCreated(id);
  });
});
