import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../scripts/lib/wrangler-dev.ts";
import { runWrangler } from "./support/wrangler.ts";

// `wrangler deploy --dry-run` of every Worker the platform deploys, with its
// production config: what `wrangler deploy` would refuse, or warn about,
// fails here first. Nothing reaches the network.
const DEPLOYED = [
  "wrangler.toml",
  "outbound/wrangler.toml",
  "tail/wrangler.toml",
  "control-plane/wrangler.toml",
  "user-worker-template/wrangler.toml",
];
/** Configs that are never deployed: local stand-ins, bench-only Workers and test fixtures. */
const NEVER_DEPLOYED = /(^|\/)wrangler\.local\.toml$|^emulator\/|^bench\/|(^|\/)test\//;
const DRY_RUN_TIMEOUT_MS = 90_000;

let outRoot: string;
beforeAll(async () => {
  outRoot = await mkdtemp(path.join(tmpdir(), "wfp-dry-run-"));
});
afterAll(async () => {
  if (outRoot !== undefined) await rm(outRoot, { recursive: true, force: true });
});

describe("wrangler deploy --dry-run", () => {
  it("covers every wrangler config in the repository that is deployed", async () => {
    const configs = (await readdir(REPO_ROOT, { recursive: true }))
      .map((file) => file.split(path.sep).join("/"))
      .filter((file) => /(^|\/)wrangler[^/]*\.(toml|json|jsonc)$/.test(file))
      .filter((file) => !/(^|\/)(node_modules|\.wfp|\.wrangler)\//.test(file));
    const deployed = configs.filter((file) => !NEVER_DEPLOYED.test(file)).sort();
    expect(deployed).toEqual([...DEPLOYED].sort());
  });

  for (const config of DEPLOYED) {
    it(`bundles ${config} without an error or a warning`, async () => {
      const outDir = path.join(outRoot, config.replace(/[\\/]/g, "_"));
      const run = await runWrangler(["deploy", "--dry-run", "--outdir", outDir, "--config", config], {
        cwd: REPO_ROOT,
        env: {},
        timeoutMs: DRY_RUN_TIMEOUT_MS,
      });
      expect(run.code, run.output).toBe(0);
      expect(run.output).toContain("--dry-run: exiting now.");
      expect(run.output, run.output).not.toMatch(/\[WARNING\]|\[ERROR\]/);
      const bundle = await readFile(path.join(outDir, "index.js"), "utf8");
      expect(bundle.length).toBeGreaterThan(0);
      expect(bundle).toMatch(/export\s*\{[^}]*\bdefault\b/);
    });
  }
});
