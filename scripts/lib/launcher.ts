/**
 * What the platform's own launchers (scripts/outbound-dev.ts, scripts/runner-dev.ts) share: they take
 * `wrangler dev`'s flags (`--config`, `--ip`, `--port`, `--inspector-port`, `--persist-to`, and
 * WRANGLER_REGISTRY_PATH), start the Worker (with wrangler's `unstable_startWorker` or miniflare), and
 * stop it on Ctrl-C (SIGINT), SIGTERM or SIGHUP.
 */
import { parseArgs } from "node:util";

/** A started Worker as wrangler's `unstable_startWorker` and miniflare both give it. */
export type StartedWorker = { readonly ready: Promise<unknown>; dispose(): Promise<void> };

export type LauncherArgs = {
  config: string;
  ip: string;
  port: number;
  inspectorPort: number;
  persistTo: string;
  registry: string;
};

function portOf(name: string, raw: string | undefined): number {
  const port = Number(raw);
  if (raw === undefined || !/^\d+$/.test(raw) || port < 1 || port > 65_535) {
    throw new Error(`--${name} must be a TCP port number, not ${JSON.stringify(raw)}`);
  }
  return port;
}

function required(name: string, value: string | undefined): string {
  if (value === undefined || value === "") throw new Error(`${name} is required`);
  return value;
}

export function launcherArgs(): LauncherArgs {
  const { values } = parseArgs({
    options: {
      config: { type: "string" },
      ip: { type: "string" },
      port: { type: "string" },
      "inspector-port": { type: "string" },
      "persist-to": { type: "string" },
    },
    strict: true,
  });
  return {
    config: required("--config", values.config),
    ip: required("--ip", values.ip),
    port: portOf("port", values.port),
    inspectorPort: portOf("inspector-port", values["inspector-port"]),
    persistTo: required("--persist-to", values["persist-to"]),
    registry: required("WRANGLER_REGISTRY_PATH", process.env.WRANGLER_REGISTRY_PATH),
  };
}

/**
 * Starts the Worker, then keeps this process until a signal, when it stops what wrangler started (workerd
 * runs in this process group, so Ctrl-C reaches it too). `name` prefixes this launcher's own messages.
 */
export async function launch<Worker extends StartedWorker>(
  name: string,
  start: () => Worker | Promise<Worker>,
): Promise<Worker> {
  let worker: Worker | undefined;
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    if (worker === undefined) process.exit(130); // interrupted while starting
    void worker.dispose().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`${name}: could not stop: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, stop);
  worker = await start();
  await worker.ready;
  return worker;
}

/** Ends the launcher with the error that stopped it. */
export function failLauncher(name: string): (error: unknown) => never {
  return (error) => {
    process.stderr.write(`${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  };
}
