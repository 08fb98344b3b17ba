import { readdir, readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import { build, type Plugin } from "esbuild";
import { RUNTIME_MODULES } from "../../emulator/src/dispatch/shim.ts";

/** The emulator's sources, next to this script's repository root (a bench snapshot builds its own). */
const EMULATOR_SRC = path.resolve(import.meta.dirname, "../../emulator/src");

/** Where the runtime modules live: each is known in a loaded worker as `__wfp_<file>.js` (shim.ts). */
const RUNTIME_DIR = path.join(EMULATOR_SRC, "dispatch", "runtime");

const CLIENT_SUFFIX = ".client.ts";

/**
 * The name a loaded worker knows a runtime module by. Only runtime modules can
 * be imported by another client module: a binding's client is shipped only
 * into the workers that have the binding.
 */
function runtimeModuleName(file: string, importer: string): string {
  const name = `__wfp_${path.basename(file, CLIENT_SUFFIX)}.js`;
  const known: readonly string[] = Object.values(RUNTIME_MODULES);
  if (path.dirname(file) !== RUNTIME_DIR || !known.includes(name)) {
    throw new Error(`${importer} imports ${file}, which is not a runtime module (RUNTIME_MODULES in shim.ts)`);
  }
  return name;
}

/**
 * Keeps client modules apart: an import of another `*.client.ts` becomes an
 * import of the module the loaded worker holds it as, so that each is
 * evaluated once and its state (the current invocation, the egress stub) is
 * the same for all of them.
 */
const siblingClients: Plugin = {
  name: "sibling-client-modules",
  setup(build) {
    build.onResolve({ filter: /\.client(\.ts)?$/ }, (args) => {
      if (args.kind === "entry-point") return undefined;
      const file = path.resolve(args.resolveDir, args.path.endsWith(CLIENT_SUFFIX) ? args.path : `${args.path}.ts`);
      return { path: `./${runtimeModuleName(file, args.importer)}`, external: true };
    });
  },
};

/** Writes only what changed, atomically: `wrangler dev` watches these files, and several builds may run at once. */
async function writeIfChanged(file: string, text: string): Promise<boolean> {
  const current = await readFile(file, "utf8").catch(() => undefined);
  if (current === text) return false;
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
  return true;
}

/**
 * Compiles each of the emulator's client modules (`emulator/src/**\/*.client.ts`,
 * the code shipped into loaded tenant workers) into the module text beside it
 * that the emulator imports (`*.client.built.js`). Each is one ES module: the
 * plain modules it imports (shared constants) are bundled in, other client
 * modules, `cloudflare:*` and `node:*` stay imports. Returns the files written.
 */
export async function buildClientModules(): Promise<string[]> {
  const sources = (await readdir(EMULATOR_SRC, { recursive: true }))
    .filter((file) => file.endsWith(CLIENT_SUFFIX))
    .map((file) => path.join(EMULATOR_SRC, file))
    .sort();
  const result = await build({
    entryPoints: sources,
    outbase: EMULATOR_SRC,
    outdir: EMULATOR_SRC,
    entryNames: "[dir]/[name].built",
    bundle: true,
    format: "esm",
    platform: "neutral",
    // tsconfig.json's target: workerd runs all of it, so the code ships as written, nothing lowered.
    target: "es2024",
    // Names are the runtime's (D1PreparedStatement, R2's toStringTag): bundling would rename a class that
    // refers to itself, and a tenant can read the name.
    keepNames: true,
    external: ["cloudflare:*", "node:*"],
    plugins: [siblingClients],
    write: false,
    logLevel: "silent",
  });
  const written: string[] = [];
  for (const output of result.outputFiles) {
    if (await writeIfChanged(output.path, output.text)) written.push(output.path);
  }
  return written;
}
