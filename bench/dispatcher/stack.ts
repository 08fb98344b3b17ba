import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { waitForHealth } from "../../scripts/lib/health.ts";
import { EMULATOR, OUTBOUND, TAIL } from "../../scripts/lib/platform.ts";
import { freePorts, LOOPBACK } from "../../scripts/lib/ports.ts";
import { type ProcessGroup, spawnGroup } from "../../scripts/lib/process-group.ts";
import { offlineWranglerEnv, REPO_ROOT, WRANGLER_BIN } from "../../scripts/lib/wrangler-dev.ts";
import { stopperOf } from "../shared/lifecycle.ts";
import { workerdVersion } from "../shared/machine.ts";

/** The dispatcher bench's front Worker: the dispatcher, the direct path, and the emulator's API behind it. */
export const DISPATCHER_FRONT_CONFIG = path.join(REPO_ROOT, "bench/dispatcher/worker/wrangler.toml");

const KEPT_LINES = 200;

export type DispatcherStack = {
  /** http://127.0.0.1:<port> of the front Worker. */
  readonly url: string;
  readonly group: ProcessGroup;
  /** The version of the workerd binary wrangler runs. */
  readonly workerdVersion: string;
  output(): string;
  /** Stops every process the stack started and deletes its state. */
  stop(): Promise<void>;
};

/**
 * Starts the front Worker, the emulator, the outbound Worker and the tail Worker in ONE
 * `wrangler dev` process on a free loopback port: the dispatcher path and
 * the direct path are then the same in-process hops but for the dispatcher.
 * State and dev registry live in a temporary folder that `stop()` deletes.
 */
export async function startDispatcherStack(startupTimeoutMs: number): Promise<DispatcherStack> {
  const dir = mkdtempSync(path.join(tmpdir(), "wfp-bench-dispatcher-"));
  const [port, inspectorPort] = (await freePorts(2)) as [number, number];
  const lines: string[] = [];
  const group = spawnGroup(
    process.execPath,
    [
      WRANGLER_BIN,
      "dev",
      ...["--config", DISPATCHER_FRONT_CONFIG, "--config", EMULATOR.configPath, "--config", OUTBOUND.configPath],
      ...["--config", TAIL.configPath],
      ...["--ip", LOOPBACK, "--port", String(port), "--inspector-port", String(inspectorPort)],
      ...["--persist-to", path.join(dir, "state"), "--local", "--show-interactive-dev-session=false"],
    ],
    {
      cwd: REPO_ROOT,
      env: offlineWranglerEnv({ WRANGLER_REGISTRY_PATH: path.join(dir, "registry") }),
      onLine: (line) => {
        lines.push(line);
        if (lines.length > KEPT_LINES) lines.shift();
      },
    },
  );
  const stop = stopperOf(group, dir);
  const url = `http://${LOOPBACK}:${port}`;
  try {
    await waitForHealth(new URL(EMULATOR.healthPath, url), group.exited, startupTimeoutMs);
    return { url, group, workerdVersion: workerdVersion(), output: () => lines.join("\n"), stop };
  } catch (error) {
    await stop();
    throw new Error(`the bench stack did not start: ${(error as Error).message}\n${lines.join("\n")}`);
  }
}
