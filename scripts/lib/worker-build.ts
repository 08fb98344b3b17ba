import { execFile } from "node:child_process";
import { readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";
import type { LegacyWorkerOptions } from "miniflare";
import { unstable_getMiniflareWorkerOptions, unstable_readConfig } from "wrangler";
import { offlineWranglerEnv, REPO_ROOT, WRANGLER_BIN } from "./wrangler-dev.ts";

/** Where built Workers go: inside the git-ignored .wfp folder, one folder per Worker. */
const BUILD_ROOT = path.join(REPO_ROOT, ".wfp", "build");

/** The file wrangler writes the entry module to: named after the config's `main` (`src/local.ts` → `local.js`). */
function mainModuleOf(configPath: string): string {
  const main = unstable_readConfig({ config: configPath }).main;
  if (main === undefined) throw new Error(`${configPath} has no main`);
  return path.basename(main).replace(/\.[cm]?[jt]sx?$/, ".js");
}

/**
 * A platform Worker that another Worker's tests (or a bench) run next to it as
 * a miniflare auxiliary Worker, built from its wrangler config.
 */
export type BuiltWorker = {
  /** Absolute path of its wrangler config. */
  readonly configPath: string;
  /** Folder `build()` writes the bundle to. */
  readonly outDir: string;
};

export function builtWorker(configPath: string): BuiltWorker {
  const relative = path
    .relative(REPO_ROOT, configPath)
    .replace(/[\\/]/g, "_")
    .replace(/\.toml$/, "");
  return { configPath, outDir: path.join(BUILD_ROOT, relative) };
}

/**
 * Bundles the Worker as `wrangler deploy` would (its custom build, which for
 * the emulator builds the client modules; TypeScript; module rules), without
 * deploying: miniflare, unlike wrangler, cannot run TypeScript. Then
 * folds its Text modules into the bundle (see `foldTextModules`).
 */
export async function build(worker: BuiltWorker): Promise<void> {
  await rm(worker.outDir, { recursive: true, force: true });
  const args = [WRANGLER_BIN, "deploy", "--dry-run", "--outdir", worker.outDir, "--config", worker.configPath];
  try {
    await promisify(execFile)(process.execPath, args, { cwd: REPO_ROOT, env: offlineWranglerEnv() });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`could not build ${worker.configPath}:\n${stdout ?? ""}${stderr ?? ""}`);
  }
  await foldTextModules(path.join(worker.outDir, mainModuleOf(worker.configPath)));
}

/** `import name from "./file";`, as esbuild writes the import of a module wrangler keeps apart. */
const SIBLING_IMPORT = /^import (\w+) from "\.\/([^"/]+)";$/gm;

/**
 * Replaces each `import x from "./y.client.built.js"` of a Text module (wrangler's
 * `[[rules]] type = "Text"`) with the string itself, so the bundle is one
 * module. Miniflare's auxiliary Workers take no module rules: a Worker of
 * several modules would have to list them, and their names (content hashes)
 * are only known once it is built, after the test config has been read.
 */
async function foldTextModules(mainPath: string): Promise<void> {
  const outDir = path.dirname(mainPath);
  const main = await readFile(mainPath, "utf8");
  const folded: string[] = [];
  for (const [, name, file] of main.matchAll(SIBLING_IMPORT)) {
    const text = await readFile(path.join(outDir, file as string), "utf8");
    folded.push(`const ${name} = ${JSON.stringify(text)};`);
  }
  // Declared first: the imports they replace were hoisted, so code anywhere in the bundle may use them.
  await writeFile(mainPath, [...folded, main.replace(SIBLING_IMPORT, "")].join("\n"));
}

/**
 * The Worker as a miniflare auxiliary Worker: its name and bindings as its
 * wrangler config declares them (Durable Objects, KV, R2, loaders, services,
 * vars), its code from the bundle `build()` writes.
 */
export function miniflareOptions(worker: BuiltWorker): LegacyWorkerOptions & { name: string } {
  const config = unstable_readConfig({ config: worker.configPath });
  if (config.name === undefined) throw new Error(`${worker.configPath} has no name`);
  const { workerOptions } = unstable_getMiniflareWorkerOptions(config);
  // Paths are absolute here, and the module rules were applied by `build()`.
  const { rootPath: _rootPath, modulesRules: _modulesRules, ...options } = workerOptions;
  return {
    ...options,
    name: config.name,
    modules: true,
    modulesRoot: worker.outDir,
    scriptPath: path.join(worker.outDir, mainModuleOf(worker.configPath)),
  };
}
