import { readdir, readFile } from "node:fs/promises";
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

// Tenants copy the folder out of this repository: its code must not reach into the platform's.
describe("the user-worker template's code", () => {
  it("imports nothing from outside its folder", async () => {
    const src = path.join(REPO_ROOT, "user-worker-template", "src");
    const files = (await readdir(src, { recursive: true })).filter((f) => f.endsWith(".ts"));
    expect(files.length).toBeGreaterThan(5);
    const outside: string[] = [];
    for (const file of files) {
      const text = await readFile(path.join(src, file), "utf8");
      for (const [, spec] of text.matchAll(/from\s+["']([^"']+)["']/g)) {
        if (spec?.startsWith(".") && path.relative(src, path.resolve(src, path.dirname(file), spec)).startsWith("..")) {
          outside.push(`${file}: ${spec}`);
        }
      }
    }
    expect(outside).toEqual([]);
  });
});
