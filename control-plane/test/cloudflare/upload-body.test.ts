import { describe, expect, it } from "vitest";
import { multipartPartProblems } from "../../../emulator/test/openapi";
import { COMPATIBILITY_DATE } from "../../../platform/compatibility-date";
import { bytesToBase64 } from "../../../platform/script-modules";
import {
  moduleContentType,
  type ScriptUpload,
  scriptSettingsForm,
  scriptUploadForm,
} from "../../src/cloudflare/upload-body";

/**
 * The bodies the client builds itself (the SDK's are broken there,
 * cloudflare-typescript#2799), read back as the API reads them and checked
 * against the official OpenAPI extract.
 */
/** The smallest WebAssembly module: its magic and version. */
const WASM = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
/** Every byte value, and what is not UTF-8 (0xff, a lone 0x80). */
const DATA = new Uint8Array(Array.from({ length: 256 }, (_, index) => index));

const UPLOAD_PATH = "/accounts/0123456789abcdef0123456789abcdef/workers/dispatch/namespaces/ns/scripts/acme";

const upload: ScriptUpload = {
  mainModule: "index.js",
  modules: {
    "index.js": 'import { greet } from "./lib/greet.mjs"; export default { fetch: () => new Response(greet()) };',
    "lib/greet.mjs": 'export const greet = () => "hi";',
    "legacy.cjs": "module.exports = 1;",
    "README.txt": "read me",
    "page.html": "<p>hi</p>",
    "index.js.map": '{"version":3}',
    "3f2a-add.wasm": { type: "wasm", base64: bytesToBase64(WASM) },
    "table.bin": { type: "data", base64: bytesToBase64(DATA) },
    "notes.md": { type: "text", base64: bytesToBase64(new TextEncoder().encode("# héllo")) },
  },
  compatibilityDate: COMPATIBILITY_DATE,
  compatibilityFlags: ["nodejs_compat"],
  bindings: [
    { type: "kv_namespace", name: "KV", namespace_id: "0123456789abcdef0123456789abcdef" },
    { type: "r2_bucket", name: "BUCKET", bucket_name: "t-acme-r2" },
    { type: "d1", name: "DB", database_id: "4b1e5a5c-0d6c-4c36-9f7a-1c2d3e4f5a6b" },
    { type: "analytics_engine", name: "ANALYTICS", dataset: "tenant_acme" },
    { type: "plain_text", name: "GREETING", text: "hello" },
    { type: "inherit", name: "API_KEY" },
  ],
  tags: ["tenant:acme", "plan:free"],
  keepBindings: ["secret_text"],
  limits: { cpu_ms: 50, subrequests: 50 },
};

/** The form as the server sees it: serialized to multipart and parsed back. */
const reparse = (form: FormData) => new Response(form).formData();

describe("the script upload body", () => {
  it("has one metadata JSON part that matches the OpenAPI schema", async () => {
    const form = await reparse(scriptUploadForm(upload));
    const part = form.get("metadata") as File;
    expect(part.type).toBe("application/json");
    const metadata = JSON.parse(await part.text());
    expect(metadataProblems(metadata)).toEqual([]);
    expect(metadata).toEqual({
      main_module: "index.js",
      compatibility_date: COMPATIBILITY_DATE,
      compatibility_flags: ["nodejs_compat"],
      bindings: upload.bindings,
      tags: ["tenant:acme", "plan:free"],
      keep_bindings: ["secret_text"],
      limits: { cpu_ms: 50, subrequests: 50 },
    });
  });

  it("has one part per module, named by its path, typed by its extension", async () => {
    const form = await reparse(scriptUploadForm(upload));
    const modules = [...form.entries()].filter(([name]) => name !== "metadata");
    expect(modules.map(([name, value]) => [name, (value as File).name, (value as File).type])).toEqual([
      ["index.js", "index.js", "application/javascript+module"],
      ["lib/greet.mjs", "lib/greet.mjs", "application/javascript+module"],
      ["legacy.cjs", "legacy.cjs", "application/javascript"],
      ["README.txt", "README.txt", "text/plain"],
      ["page.html", "page.html", "text/plain"],
      ["index.js.map", "index.js.map", "application/source-map"],
      ["3f2a-add.wasm", "3f2a-add.wasm", "application/wasm"],
      ["table.bin", "table.bin", "application/octet-stream"],
      ["notes.md", "notes.md", "text/plain"],
    ]);
    expect(await (form.get("lib/greet.mjs") as File).text()).toBe(upload.modules["lib/greet.mjs"]);
  });

  it("sends an encoded module's exact bytes, decoded from base64", async () => {
    const form = await reparse(scriptUploadForm(upload));
    expect(new Uint8Array(await (form.get("3f2a-add.wasm") as File).arrayBuffer())).toEqual(WASM);
    expect(new Uint8Array(await (form.get("table.bin") as File).arrayBuffer())).toEqual(DATA);
    expect(await (form.get("notes.md") as File).text()).toBe("# héllo");
  });

  it("carries static assets: the completion JWT and their config with the ASSETS binding, or keep_assets", async () => {
    const metadataOf = async (form: FormData) =>
      JSON.parse(await ((await reparse(form)).get("metadata") as File).text());
    const assets = {
      jwt: "completion.jwt.here",
      config: { html_handling: "none", not_found_handling: "404-page" },
    } as const;
    const withAssets = await metadataOf(
      scriptUploadForm({ ...upload, assets, bindings: [...upload.bindings, { type: "assets", name: "ASSETS" }] }),
    );
    expect(withAssets.assets).toEqual(assets);
    expect(withAssets.keep_assets).toBeUndefined();
    expect(metadataProblems(withAssets)).toEqual([]);
    const kept = await metadataOf(scriptUploadForm({ ...upload, keepAssets: true }));
    expect(kept.keep_assets).toBe(true);
    expect(kept.assets).toBeUndefined();
    expect(metadataProblems(kept)).toEqual([]);
    expect(() => scriptUploadForm({ ...upload, assets: { jwt: "" } })).toThrow();
  });

  it("the schema check itself refuses a wrong metadata", () => {
    expect(metadataProblems({ main_module: 42, tags: "x" })).not.toEqual([]);
  });

  it("refuses, before sending, a main module that is not among the modules or a module of no known type", () => {
    expect(() => scriptUploadForm({ ...upload, mainModule: "missing.js" })).toThrow(/main module/);
    expect(() => moduleContentType("image.png", "not text")).toThrow(/no module type/);
    expect(moduleContentType("image.png", { type: "data", base64: "" })).toBe("application/octet-stream");
    expect(() => scriptUploadForm({ ...upload, tags: ["a,b"] })).toThrow();
  });
});

describe("the settings PATCH body", () => {
  it("is one JSON part named settings that matches the OpenAPI schema", async () => {
    const settings = {
      bindings: [
        { type: "inherit" as const, name: "KV" },
        { type: "plain_text" as const, name: "MODE", text: "maintenance" },
      ],
      tags: ["tenant:acme", "plan:pro"],
      limits: { cpu_ms: 100 },
    };
    const form = await reparse(scriptSettingsForm(settings));
    expect([...form.keys()]).toEqual(["settings"]);
    const part = form.get("settings") as File;
    expect(part.type).toBe("application/json");
    const sent = JSON.parse(await part.text());
    expect(sent).toEqual(settings);
    // The extract has no `inherit` binding (newer than it): checked without it.
    const checkable = { ...sent, bindings: sent.bindings.filter((b: { type: string }) => b.type !== "inherit") };
    expect(multipartPartProblems("PATCH", `${UPLOAD_PATH}/settings`, "settings", checkable)).toEqual([]);
  });
});

function metadataProblems(metadata: unknown): string[] {
  const problems = multipartPartProblems("PUT", UPLOAD_PATH, "metadata", metadata);
  if (problems === undefined) throw new Error("the OpenAPI extract has no schema for the upload's metadata part");
  return problems;
}
