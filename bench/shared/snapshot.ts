import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, symlinkSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT } from "../../scripts/lib/wrangler-dev.ts";

/**
 * Not copied into the snapshot the Workers are built from: dependencies (linked
 * instead), git, and build output and local state, at any depth.
 */
const NOT_COPIED = new Set(["node_modules", ".git", ".wrangler", ".wfp", "dist", "coverage"]);

// --no-optional-locks: reading git must not rewrite its index (the working tree is shared).
const git = (args: string[], options: { input?: Buffer } = {}): Buffer =>
  execFileSync("git", ["--no-optional-locks", ...args], { cwd: REPO_ROOT, maxBuffer: 256 * 2 ** 20, ...options });

/**
 * Copies the Workers' sources into `root`, node_modules linked rather than
 * copied, and says which version they are. wrangler dev rebuilds and restarts
 * workerd whenever a source file changes; run from a copy, a file edited in
 * the working tree mid-run cannot reset the runtime being measured. Without
 * `commit`, the working tree as it is (build output and local state left
 * out); with it, that commit's tree.
 */
export function snapshotSources(root: string, commit: string | undefined): string {
  mkdirSync(root, { recursive: true });
  let version: string;
  if (commit === undefined) {
    cpSync(REPO_ROOT, root, { recursive: true, filter: (source) => !NOT_COPIED.has(path.basename(source)) });
    const head = git(["rev-parse", "--short", "HEAD"]).toString().trim();
    const dirty = git(["status", "--porcelain"]).length > 0;
    version = dirty ? `commit ${head} with uncommitted changes` : `commit ${head}`;
  } else {
    const resolved = git(["rev-parse", "--short", "--verify", `${commit}^{commit}`])
      .toString()
      .trim();
    execFileSync("tar", ["-x", "-C", root], { input: git(["archive", "--format=tar", resolved]) });
    // The bench's own front Worker comes from the working tree: it must match the bench that drives it.
    const bench = path.join(REPO_ROOT, "bench");
    cpSync(bench, path.join(root, "bench"), {
      recursive: true,
      filter: (source) => !NOT_COPIED.has(path.basename(source)),
    });
    version = `commit ${resolved} (the bench's front Worker from the working tree)`;
  }
  symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(root, "node_modules"), "dir");
  // The copy's own client modules: the emulator's custom build runs in wrangler's working directory, which for
  // a bench that starts wrangler from the repository root is the working tree, not the copy.
  const buildClientModules = path.join(root, "scripts", "build-client-modules.ts");
  if (existsSync(buildClientModules)) execFileSync(process.execPath, [buildClientModules], { cwd: root });
  // Likewise the control plane's bundle of the tenant template, which the console imports (its custom build).
  const buildTemplateBundle = path.join(root, "scripts", "build-template-bundle.ts");
  if (existsSync(buildTemplateBundle)) execFileSync(process.execPath, [buildTemplateBundle], { cwd: root });
  return version;
}
