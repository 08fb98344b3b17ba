import path from "node:path";
import { describe, expect, it } from "vitest";
import { type CliRun, explain, runCli } from "../cli/test/support/run-cli.ts";
import { RolloutView } from "../platform/tenants-api.ts";
import { REPO_ROOT } from "../scripts/lib/wrangler-dev.ts";
import { TABLE_BIN } from "./fixtures/wasm-worker/add-wasm.ts";
import { eventually, unique } from "./support/control-plane-api.ts";
import { devPlatformForFile } from "./support/dev-platform.ts";

// Issue 18's binary modules end to end through `npm run dev`'s processes: `wfp` deploys a Worker that
// imports a .wasm and a .bin file (test/fixtures/wasm-worker); the tenant computes with the
// WebAssembly module in a tenant runner, after its first upload and after every later one.

const FIXTURE = path.join(REPO_ROOT, "test", "fixtures", "wasm-worker");
const dev = devPlatformForFile("wasm");

const wfp = (args: readonly string[]): Promise<CliRun> =>
  runCli([...args, "--interval", "200", "--timeout", "240"], { env: dev.wfpEnv() });

/** The tenant's answer through the dispatcher (path mode), once it is a 200. */
const answered = (id: string, pathname: string) =>
  eventually(async () => {
    const response = await fetch(dev.url("dispatcher", `/${id}${pathname}`));
    return response.status === 200 ? response.json() : null;
  });

describe("a tenant whose Worker computes with WebAssembly, deployed with wfp", () => {
  const id = unique("wasm");

  it("adds with its wasm module and reads its data module, after create, update and rollout", async () => {
    const created = await wfp(["tenants", "create", id, "--plan", "free", "--no-kv", "--no-r2", "--no-d1"]);
    expect(created.code, explain(created)).toBe(0);
    const deployed = await wfp(["deploy", FIXTURE, "--tenant", id, "--wait"]);
    expect(deployed.code, explain(deployed)).toBe(0);
    expect(await answered(id, "/add?a=19&b=23")).toEqual({ a: 19, b: 23, sum: 42 });
    expect(await answered(id, "/table")).toEqual([...TABLE_BIN]);

    // A var changed: the stored bundle is uploaded again, its binary modules with it.
    const updated = await wfp(["tenants", "update", id, "--var", "MODE=second", "--wait"]);
    expect(updated.code, explain(updated)).toBe(0);
    expect(await answered(id, "/add?a=-5&b=7")).toEqual({ a: -5, b: 7, sum: 2 });

    const rollout = await wfp(["rollout", FIXTURE, "--tenant", id, "--canary", "0", "--json"]);
    expect(rollout.code, explain(rollout)).toBe(0);
    expect(RolloutView.parse(JSON.parse(rollout.stdout))).toMatchObject({ state: "completed", succeeded: 1 });
    expect(await answered(id, "/add?a=1000&b=337")).toEqual({ a: 1000, b: 337, sum: 1337 });
  }, 300_000);
});
