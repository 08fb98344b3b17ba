import { fileURLToPath } from "node:url";
import { EMULATOR, type PlatformWorker } from "../../scripts/lib/platform.ts";
import { builtWorker, miniflareOptions } from "../../scripts/lib/worker-build.ts";

/**
 * The platform's Workers as another Worker's tests run them next to it (miniflare auxiliary
 * Workers), for the projects' vitest configs. Miniflare needs them as JavaScript: build-workers.ts,
 * the projects' global setup, builds them before any test runs.
 */

declare module "vitest" {
  export interface ProvidedContext {
    /** The wrangler configs of the Workers build-workers.ts builds before the project's tests. */
    auxiliaryWorkers: string[];
  }
}

const BUILD_WORKERS = fileURLToPath(new URL("./build-workers.ts", import.meta.url));

/** A platform Worker, as its wrangler config declares it, from the bundle build-workers.ts writes. */
export function auxiliaryWorker(worker: PlatformWorker): ReturnType<typeof miniflareOptions> {
  return miniflareOptions(builtWorker(worker.configPath));
}

/**
 * The emulator, with a generous startup limit (wall-clock time, emulator/README.md): an upload on
 * a loaded machine is not refused for it.
 */
export function auxiliaryEmulator(): ReturnType<typeof miniflareOptions> {
  const built = auxiliaryWorker(EMULATOR);
  return { ...built, bindings: { ...built.bindings, STARTUP_LIMIT_MS: "30000" } };
}

/** What a project's `test` config gets so that `workers` are built before its tests run. */
export function buildBeforeTests(workers: readonly PlatformWorker[]) {
  return {
    globalSetup: [BUILD_WORKERS],
    provide: { auxiliaryWorkers: workers.map((worker) => worker.configPath) },
  };
}
