import { describe, expect, it } from "vitest";
import { ADD_WASM } from "../../test/fixtures/wasm-worker/add-wasm";
import { call, errorOf, resultOf } from "./helpers";
import { createNamespace, type ModuleParts, scriptPath, upload } from "./scripts-helpers";
import { dispatch } from "./tenant";

// Binary modules as the Worker Loader runs them: application/wasm as a compiled WebAssembly.Module,
// application/octet-stream as an ArrayBuffer of the exact bytes, text/plain as a string.

/** Every byte value: a data module must come back with each one, none decoded as text. */
const EVERY_BYTE = new Uint8Array(Array.from({ length: 256 }, (_, index) => index));

const MODULES: ModuleParts = {
  "index.js": {
    code: `import addModule from "./lib/add.wasm";
import bytes from "./every-byte.bin";
import note from "./note.txt";
const { add } = new WebAssembly.Instance(addModule).exports;
export default {
  fetch: () => Response.json({
    isModule: addModule instanceof WebAssembly.Module,
    sum: add(40, 2),
    bytes: [...new Uint8Array(bytes)],
    note,
  }),
};`,
  },
  "lib/add.wasm": { code: ADD_WASM, type: "application/wasm" },
  "every-byte.bin": { code: EVERY_BYTE, type: "application/octet-stream" },
  "note.txt": { code: "héllo", type: "text/plain; charset=utf-8" },
};

describe("binary modules in a tenant's Worker", () => {
  it("runs a wasm module, and hands a data module's bytes over intact", async () => {
    const ns = await createNamespace();
    await resultOf(await upload(ns, "adder", { main_module: "index.js" }, MODULES));
    const answer = await dispatch(ns, "adder", "http://adder/");
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ isModule: true, sum: 42, bytes: [...EVERY_BYTE], note: "héllo" });
  });

  it("answers the modules' exact bytes from GET …/content", async () => {
    const ns = await createNamespace();
    await resultOf(await upload(ns, "kept", { main_module: "index.js" }, MODULES));
    const form = await (await call(scriptPath(ns, "kept", "/content"))).formData();
    const part = (name: string) => form.get(name) as File;
    expect(part("lib/add.wasm").type).toBe("application/wasm");
    expect(new Uint8Array(await part("lib/add.wasm").arrayBuffer())).toEqual(ADD_WASM);
    expect(part("every-byte.bin").type).toBe("application/octet-stream");
    expect(new Uint8Array(await part("every-byte.bin").arrayBuffer())).toEqual(EVERY_BYTE);
  });

  it("refuses at upload (10021, the runtime's message) a wasm module that does not compile, storing nothing", async () => {
    const ns = await createNamespace();
    // The magic and version, then a section id with a length past the end.
    const broken = new Uint8Array([...ADD_WASM.slice(0, 8), 0x01, 0x7f]);
    const res = await upload(
      ns,
      "broken",
      { main_module: "index.js" },
      { ...MODULES, "lib/add.wasm": { code: broken, type: "application/wasm" } },
    );
    const error = await errorOf(res, 400);
    expect(error.code).toBe(10021);
    expect(error.message).toMatch(/wasm|WebAssembly|compil/i);
    expect((await errorOf(await call(scriptPath(ns, "broken")), 404)).code).toBe(10092);
  });
});

describe("JavaScript modules under their text/ content types", () => {
  it("runs text/javascript+module as an ES module and text/javascript as CommonJS, as their application/ twins", async () => {
    const ns = await createNamespace();
    const modules: ModuleParts = {
      "index.mjs": {
        code: `import { x } from "./lib.mjs";
import legacy from "./legacy.js";
export default { fetch: () => Response.json({ x, y: legacy.y }) };`,
        type: "text/javascript+module",
      },
      "lib.mjs": { code: "export const x = 1;", type: "text/javascript+module" },
      "legacy.js": { code: "exports.y = 2;", type: "text/javascript" },
    };
    await resultOf(await upload(ns, "texty", { main_module: "index.mjs" }, modules));
    const answer = await dispatch(ns, "texty", "http://texty/");
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ x: 1, y: 2 });
  });
});

describe("Python Workers", () => {
  it("are refused (10021) with a message saying the emulator does not run them", async () => {
    const ns = await createNamespace();
    const res = await upload(
      ns,
      "snake",
      { main_module: "index.py" },
      { "index.py": { code: "from workers import Response", type: "text/x-python" } },
    );
    const error = await errorOf(res, 400);
    expect(error.code).toBe(10021);
    expect(error.message).toContain("Python");
  });
});

describe("module names", () => {
  it("refuses a name past what the emulator can store (798 bytes) with 10021, storing nothing", async () => {
    const ns = await createNamespace();
    const res = await upload(
      ns,
      "long-names",
      { main_module: "index.js" },
      {
        "index.js": { code: 'export default { fetch: () => new Response("ok") };' },
        [`${"a".repeat(1000)}.js`]: { code: "" },
      },
    );
    const error = await errorOf(res, 400);
    expect(error.code).toBe(10021);
    expect(error.message).toContain("798 bytes");
    await errorOf(await call(scriptPath(ns, "long-names")), 404);
  });
});
