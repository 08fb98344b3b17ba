import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";
import { EMULATOR, emulatorApiToken } from "../scripts/lib/platform.ts";
import { freePorts } from "../scripts/lib/ports.ts";
import { startWranglerDev } from "../scripts/lib/wrangler-dev.ts";

declare module "vitest" {
  export interface ProvidedContext {
    /** http://127.0.0.1:<port> of the emulator every test file shares. */
    emulatorUrl: string;
    emulatorToken: string;
    /** The emulator's dev registry: a test's own `wrangler dev` that binds the emulator shares it. */
    devRegistryPath: string;
  }
}

const STARTUP_TIMEOUT_MS = 120_000;
/** Lines of wrangler output kept to explain a start-up failure. */
const KEPT_LINES = 200;

/**
 * One emulator for the whole run: `wrangler dev` on a free port, with its
 * state and its dev registry in a temporary folder so nothing leaks into, or
 * from, a developer's own `npm run dev`.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(path.join(tmpdir(), "wfp-e2e-"));
  const [port, inspectorPort] = (await freePorts(2)) as [number, number];
  const output: string[] = [];
  const emulator = startWranglerDev({
    configPath: EMULATOR.configPath,
    port,
    inspectorPort,
    persistTo: path.join(dir, "state"),
    healthPath: EMULATOR.healthPath,
    startupTimeoutMs: STARTUP_TIMEOUT_MS,
    env: { WRANGLER_REGISTRY_PATH: path.join(dir, "registry") },
    // A generous startup limit (wall-clock time, emulator/README.md): an upload on a loaded machine is not refused for it.
    extraArgs: ["--var", "STARTUP_LIMIT_MS:30000"],
    onLine: (line) => {
      output.push(line);
      if (output.length > KEPT_LINES) output.shift();
    },
  });
  const teardown = async () => {
    await emulator.group.stop();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await emulator.ready;
  } catch (error) {
    await teardown();
    throw new Error(`the emulator did not start: ${(error as Error).message}\n${output.join("\n")}`);
  }
  project.provide("emulatorUrl", emulator.url);
  project.provide("emulatorToken", emulatorApiToken());
  project.provide("devRegistryPath", path.join(dir, "registry"));
  return teardown;
}
