import { EMULATOR, OUTBOUND } from "../../scripts/lib/platform.ts";
import { build, builtWorker } from "../../scripts/lib/worker-build.ts";

/** The emulator and the outbound Worker run next to the dispatcher as auxiliary Workers, which miniflare needs as JavaScript. */
export default async function setup(): Promise<void> {
  await Promise.all([build(builtWorker(EMULATOR.configPath)), build(builtWorker(OUTBOUND.configPath))]);
}
