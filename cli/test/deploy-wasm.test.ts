import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { base64ToBytes } from "../../platform/script-modules.ts";
import { ScriptSource } from "../../platform/tenants-api.ts";
import { REPO_ROOT } from "../../scripts/lib/wrangler-dev.ts";
import { ADD_WASM, TABLE_BIN } from "../../test/fixtures/wasm-worker/add-wasm.ts";
import { type FakeControlPlane, startFakeControlPlane } from "./support/fake-control-plane.ts";
import { explain, runCli } from "./support/run-cli.ts";

// `wfp deploy` of a Worker that imports a .wasm and a .bin file: wrangler's own upload (its
// CompiledWasm and Data rules) read back, each module sent with its type and its exact bytes.
const FIXTURE = path.join(REPO_ROOT, "test", "fixtures", "wasm-worker");
let fake: FakeControlPlane;

beforeAll(async () => {
  fake = await startFakeControlPlane();
});
afterAll(async () => {
  await fake?.close();
});

const wfp = (args: readonly string[]) =>
  runCli([...args, "--interval", "10"], { env: { WFP_API_URL: fake.url, WFP_API_TOKEN: fake.token } });

describe("wfp deploy of a Worker with WebAssembly", () => {
  it("the committed add.wasm and table.bin are the annotated bytes", async () => {
    expect(new Uint8Array(await readFile(path.join(FIXTURE, "src", "add.wasm")))).toEqual(ADD_WASM);
    expect(new Uint8Array(await readFile(path.join(FIXTURE, "src", "table.bin")))).toEqual(TABLE_BIN);
  });

  it("sends the .wasm as a wasm module and the .bin as a data module, byte for byte, imported by their names", async () => {
    const created = await wfp(["tenants", "create", "adder", "--plan", "free", "--wait"]);
    expect(created.code, explain(created)).toBe(0);
    const run = await wfp(["deploy", FIXTURE, "--tenant", "adder", "--wait"]);
    expect(run.code, explain(run)).toBe(0);
    expect(run.stderr).toContain("bundled 3 module(s)");
    const put = fake.requests.find((r) => r.method === "PUT" && r.path === "/v1/tenants/adder/script");
    const script = ScriptSource.parse(put?.body);
    expect(script.mainModule).toBe("index.js");
    const byName = (suffix: string) => Object.entries(script.modules).find(([name]) => name.endsWith(suffix));
    const [wasmName, wasm] = byName("-add.wasm") ?? [];
    const [tableName, table] = byName("-table.bin") ?? [];
    expect(wasm).toEqual({ type: "wasm", base64: expect.any(String) });
    expect(table).toEqual({ type: "data", base64: expect.any(String) });
    expect(base64ToBytes((wasm as { base64: string }).base64)).toEqual(ADD_WASM);
    expect(base64ToBytes((table as { base64: string }).base64)).toEqual(TABLE_BIN);
    // Named as the bundled main module imports them (wrangler's "./<hash>-add.wasm", without the "./").
    expect(wasmName).not.toMatch(/^\.\//);
    expect(script.modules["index.js"]).toContain(`from "./${wasmName}"`);
    expect(script.modules["index.js"]).toContain(`from "./${tableName}"`);
  });
});
