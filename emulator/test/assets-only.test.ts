import { describe, expect, it } from "vitest";
import type { ScriptMetadataInput } from "../../cloudflare-api/script-metadata";
import { completedUpload, fileOf, freshAccount } from "./assets-helpers";
import { call, errorOf, resultOf } from "./helpers";
import { createNamespace, HELLO, scriptPath, uploadForm } from "./scripts-helpers";
import { dispatch, namespaceBinding } from "./tenant";

// An assets-only Worker: what wrangler uploads for `[assets]` without `main` (metadata with
// assets and a compatibility date, no main_module, no module parts).

const SITE = [fileOf("/index.html", "<h1>home</h1>"), fileOf("/404.html", "<p>lost</p>")];

async function setUp() {
  const account = freshAccount();
  const namespace = await createNamespace("static", account);
  const put = (metadata: ScriptMetadataInput, modules = {}) =>
    call(scriptPath(namespace, "site", "", account), { method: "PUT", body: uploadForm(metadata, modules) });
  const get = (path: string) =>
    dispatch(
      namespace,
      "site",
      `https://tenant.example${path}`,
      {},
      namespaceBinding(namespace, { accountId: account }),
    );
  const jwt = () => completedUpload(account, namespace, "site", SITE);
  return { account, namespace, put, get, jwt };
}

describe("an assets-only upload (no main_module)", () => {
  it("makes a Worker of its assets alone, which answers every path from them", async () => {
    const { put, get, jwt } = await setUp();
    const config = { not_found_handling: "404-page" } as const;
    const uploaded = await resultOf<{ has_assets: boolean; has_modules: boolean }>(
      await put({ assets: { jwt: await jwt(), config }, compatibility_date: "2026-11-01" }),
    );
    expect(uploaded).toMatchObject({ has_assets: true, has_modules: false });
    expect(await (await get("/")).text()).toBe("<h1>home</h1>");
    // No Worker to run: a missing path gets not_found_handling, navigation or not.
    const missing = await get("/nowhere");
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe("<p>lost</p>");
  });

  it("has no modules to read back", async () => {
    const { account, namespace, put, jwt } = await setUp();
    await resultOf(await put({ assets: { jwt: await jwt() } }));
    const content = await call(scriptPath(namespace, "site", "/content", account));
    expect(content.headers.get("cf-entrypoint")).toBeNull();
    expect([...(await content.formData()).keys()]).toEqual([]);
  });

  it("is refused without assets, with module parts, or with what needs code (400/10021)", async () => {
    const { put, jwt } = await setUp();
    expect((await errorOf(await put({}), 400)).message).toMatch(/main_module is required/);
    const withModule = await put({ assets: { jwt: await jwt() } }, { "index.js": { code: HELLO } });
    expect((await errorOf(withModule, 400)).message).toMatch(/main_module is required/);
    const withBinding = await put({
      assets: { jwt: await jwt() },
      bindings: [{ type: "plain_text", name: "A", text: "a" }],
    });
    expect(await errorOf(withBinding, 400)).toEqual({
      code: 10021,
      message: expect.stringMatching(/assets-only Worker \(no main_module\) has no code: it cannot have bindings/),
    });
    expect((await errorOf(await put({ keep_assets: true }), 400)).message).toMatch(/no assets to keep/);
  });

  it("takes its code later through a content PUT naming its main module, and then runs it for missing paths", async () => {
    const { account, namespace, put, get, jwt } = await setUp();
    await resultOf(await put({ assets: { jwt: await jwt() } }));
    const code = { "index.js": { code: HELLO } };
    const unnamed = await call(scriptPath(namespace, "site", "/content", account), {
      method: "PUT",
      body: uploadForm({}, code),
    });
    expect((await errorOf(unnamed, 400)).message).toMatch(/main_module is required/);
    const named = await call(scriptPath(namespace, "site", "/content", account), {
      method: "PUT",
      body: uploadForm({ main_module: "index.js" }, code),
    });
    expect(await resultOf(named)).toMatchObject({ has_assets: true, has_modules: true });
    expect(await (await get("/elsewhere")).text()).toBe("hello");
    expect(await (await get("/")).text()).toBe("<h1>home</h1>");
  });
});
