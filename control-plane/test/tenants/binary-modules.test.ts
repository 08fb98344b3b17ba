import { beforeAll, describe, expect, it } from "vitest";
import { MAX_SCRIPT_UPLOAD_BYTES } from "../../../cloudflare-api/names";
import { bytesToBase64 } from "../../../platform/script-modules";
import type { ScriptSource } from "../../../platform/tenants-api";
import { ADD_WASM, TABLE_BIN } from "../../../test/fixtures/wasm-worker/add-wasm";
import { expectError, expectNothingCreated } from "./api-support";
import { api, ensureNamespace, settled, uniqueId, visit } from "./support";

// Binary modules through the API: WebAssembly and data given as {type, base64} reach the tenant's
// Worker byte for byte, on the first upload and on every re-upload; bad ones are refused at the request.

beforeAll(ensureNamespace);

const encoded = (type: "wasm" | "data" | "text" | "js", bytes: Uint8Array) => ({ type, base64: bytesToBase64(bytes) });

/** Adds with the wasm module, shows the data module's bytes and a var. */
const WASM_APP: ScriptSource = {
  mainModule: "index.js",
  modules: {
    "index.js": `import addModule from "./lib/add.wasm";
import table from "./table.bin";
const { add } = new WebAssembly.Instance(addModule).exports;
export default {
  fetch: (request, env) => Response.json({ sum: add(19, 23), table: [...new Uint8Array(table)], mode: env.MODE }),
};`,
    "lib/add.wasm": encoded("wasm", ADD_WASM),
    "table.bin": encoded("data", TABLE_BIN),
  },
};

const create = (id: string, script: unknown, vars: Record<string, string> = {}) =>
  api("POST", "/v1/tenants", {
    id,
    plan: "pro",
    resources: { kv: false, r2: false, d1: false },
    script,
    vars,
  });

type Answer = { sum: number; table: number[]; mode?: string };

async function answerOf(id: string): Promise<Answer> {
  const response = await visit(id, "/");
  expect(response.status, await response.clone().text()).toBe(200);
  return response.json<Answer>();
}

describe("binary modules", () => {
  it("a wasm and a data module run in the tenant's Worker, after the first upload and after a re-upload", async () => {
    const id = uniqueId("wasm");
    const created = await create(id, WASM_APP, { MODE: "first" });
    expect(created.status, created.text).toBe(202);
    await settled(id, ["active"]);
    expect(await answerOf(id)).toEqual({ sum: 42, table: [...TABLE_BIN], mode: "first" });

    // A PATCH of the vars uploads the stored bundle again: its binary modules with it.
    const patched = await api("PATCH", `/v1/tenants/${id}`, { vars: { MODE: "second" } });
    expect(patched.status, patched.text).toBe(202);
    await settled(id, ["active"]);
    expect(await answerOf(id)).toEqual({ sum: 42, table: [...TABLE_BIN], mode: "second" });
  });

  it.each([
    ["base64 that is not base64", { "x.bin": { type: "data", base64: "not base64!" } }, "script.modules.x.bin.base64"],
    ["unpadded base64", { "x.bin": { type: "data", base64: "AAE" } }, "script.modules.x.bin.base64"],
    [
      "a wasm module whose base64 is not base64",
      { "x.wasm": { type: "wasm", base64: "!!!!" } },
      "script.modules.x.wasm",
    ],
    ["a text module whose base64 is not base64", { "x.txt": { type: "text", base64: "a" } }, "script.modules.x.txt"],
    ["an encoded module without its base64", { "x.wasm": { type: "wasm" } }, "script.modules.x.wasm"],
    ["a type the API does not know", { "x.bin": { type: "python", base64: "" } }, "script.modules.x.bin"],
    ["a wasm module that is not WebAssembly", { "x.wasm": encoded("wasm", TABLE_BIN) }, "script.modules.x.wasm"],
    ["a text module that is not UTF-8", { "x.txt": encoded("text", TABLE_BIN) }, "script.modules.x.txt"],
    ["a string named as no source text", { "add.wasm": "\0asm" }, "script.modules.add.wasm"],
  ])("%s: 400 naming the module, and nothing created", async (_, modules, field) => {
    const id = uniqueId("badmod");
    const script = { ...WASM_APP, modules: { ...WASM_APP.modules, ...modules } };
    expectError(await create(id, script), 400, "invalid_request", field);
    await expectNothingCreated(id);
  });

  it("a main module that is not code: 400", async () => {
    const id = uniqueId("mainwasm");
    const error = expectError(
      await create(id, { ...WASM_APP, mainModule: "lib/add.wasm" }),
      400,
      "invalid_request",
      "script.mainModule",
    );
    expect(error.message).toMatch(/not code/);
  });

  it("counts an encoded module's decoded bytes against the 10 MiB: over it refused, under it taken though its base64 is over", async () => {
    const index = WASM_APP.modules["index.js"] as string;
    const room = MAX_SCRIPT_UPLOAD_BYTES - new TextEncoder().encode(index).length - ADD_WASM.length - TABLE_BIN.length;
    const withData = (size: number) => ({
      ...WASM_APP,
      modules: { ...WASM_APP.modules, "big.bin": encoded("data", new Uint8Array(size)) },
    });
    const over = uniqueId("bigbin");
    const error = expectError(await create(over, withData(room + 1)), 400, "invalid_request", "script.modules");
    expect(error.message).toContain(`${MAX_SCRIPT_UPLOAD_BYTES + 1} bytes`);
    await expectNothingCreated(over);

    // Under it by room for the upload's own parts (the API counts the whole multipart body), with base64 well over it.
    const under = room - 256 * 1024;
    expect(((under + 2) / 3) * 4).toBeGreaterThan(MAX_SCRIPT_UPLOAD_BYTES);
    const id = uniqueId("fullbin");
    const created = await create(id, withData(under));
    expect(created.status, created.text).toBe(202);
    await settled(id, ["active"]);
    expect((await answerOf(id)).sum).toBe(42);
  });
});
