import { EMULATOR } from "../../scripts/lib/platform.ts";
import { build, builtWorker } from "../../scripts/lib/worker-build.ts";

/** The emulator runs next to the control plane as an auxiliary Worker, which miniflare needs as JavaScript. */
export default async function setup(): Promise<void> {
  await build(builtWorker(EMULATOR.configPath));
}
