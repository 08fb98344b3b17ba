import path from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../scripts/lib/wrangler-dev.ts";
import { runWrangler } from "./support/wrangler.ts";

// user-worker-template/worker-configuration.d.ts is generated from its
// wrangler.toml; a binding added there and not regenerated fails here.
describe("the user-worker template's generated types", () => {
  it("are what `wrangler types` writes from its wrangler.toml today", async () => {
    const run = await runWrangler(["types", "--check", "--include-runtime=false", "--strict-vars=false"], {
      cwd: path.join(REPO_ROOT, "user-worker-template"),
      env: {},
      timeoutMs: 60_000,
    });
    expect(run.code, `${run.output}\nRegenerate with: npm run types:template`).toBe(0);
  });
});
