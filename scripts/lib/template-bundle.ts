import { readdir, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { REPO_ROOT } from "./wrangler-dev.ts";

/** The tenant template (user-worker-template/), which the console offers as a new tenant's code. */
const TEMPLATE_DIR = path.join(REPO_ROOT, "user-worker-template");

/**
 * Where its bundle goes: the API's script (ScriptSource) as JSON, gzipped, in base64 (`{"gzip"}`),
 * imported by the control plane (src/console/pages/tenant-form-template.ts). Gzipped, the bundle is a
 * quarter of its size in the control plane's Worker, and a module the tests' runner can take: it
 * refuses one over 1 MiB, which the template's JSON nearly is. Git-ignored: built, never edited.
 */
export const TEMPLATE_BUNDLE = path.join(REPO_ROOT, "control-plane", "src", "console", "template-bundle.built.json");

/** What makes the bundle, besides the template's own files: the dependencies it bundles (the lockfile), and the bundling. */
const BUILD_FILES = ["package-lock.json", "cli/bundle.ts", "cli/upload-modules.ts", "scripts/lib/template-bundle.ts"];

/** When the newest of the bundle's sources last changed. */
async function newestSource(): Promise<number> {
  const entries = await readdir(TEMPLATE_DIR, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && !entry.parentPath.includes("node_modules"))
    .map((entry) => path.join(entry.parentPath, entry.name));
  const times = await Promise.all(
    [...files, ...BUILD_FILES.map((file) => path.join(REPO_ROOT, file))].map(
      async (file) => (await stat(file)).mtimeMs,
    ),
  );
  return Math.max(...times);
}

/**
 * Bundles the template as `wfp deploy` does (cli/bundle.ts: wrangler's bundling, its migrations and
 * Durable Objects) into TEMPLATE_BUNDLE, unless the bundle there is newer than every source of it.
 * A Worker cannot bundle at request time, so the control plane's build does it beforehand: its
 * wrangler configs run this as their custom build, and its tests' config before they start.
 * Returns whether it wrote the file.
 */
export async function buildTemplateBundle(): Promise<boolean> {
  const built = await stat(TEMPLATE_BUNDLE).then(
    (file) => file.mtimeMs,
    () => 0,
  );
  if (built > (await newestSource())) return false;
  // Imported only now: it loads wrangler, seconds of start-up that an up-to-date bundle need not wait for.
  const { bundleWorker } = await import("../../cli/bundle.ts");
  const script = await bundleWorker(TEMPLATE_DIR);
  // Atomically: `wrangler dev` watches src, and a build may run beside another.
  const temporary = `${TEMPLATE_BUNDLE}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ gzip: gzipSync(JSON.stringify(script)).toString("base64") })}\n`);
  await rename(temporary, TEMPLATE_BUNDLE);
  return true;
}
