import { DISPATCHER, EMULATOR, OUTBOUND } from "../../../scripts/lib/platform.ts";
import { build, builtWorker } from "../../../scripts/lib/worker-build.ts";

/** The platform's other Workers run next to the control plane as auxiliary Workers, which miniflare needs as JavaScript. */
export default async function setup(): Promise<void> {
  await Promise.all([EMULATOR, DISPATCHER, OUTBOUND].map((worker) => build(builtWorker(worker.configPath))));
}
