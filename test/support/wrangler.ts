import { spawnGroup } from "../../scripts/lib/process-group.ts";
import { offlineWranglerEnv, WRANGLER_BIN } from "../../scripts/lib/wrangler-dev.ts";
import { apiBaseUrl, apiToken } from "./emulator.ts";

export type WranglerRun = { code: number | null; output: string };

/**
 * Runs one wrangler command to its end (offline environment, plus `env`),
 * killing it and everything it started if it takes longer than `timeoutMs`.
 */
export async function runWrangler(
  args: readonly string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<WranglerRun> {
  const lines: string[] = [];
  const group = spawnGroup(process.execPath, [WRANGLER_BIN, ...args], {
    cwd: options.cwd,
    env: offlineWranglerEnv(options.env),
    onLine: (line) => lines.push(line),
  });
  const timer = setTimeout(() => {
    lines.push(`(killed after ${options.timeoutMs} ms)`);
    // A kill that fails surfaces in the stop() below.
    group.kill().catch(() => {});
  }, options.timeoutMs);
  const code = await group.exited;
  clearTimeout(timer);
  await group.stop();
  await group.drained;
  return { code, output: lines.join("\n") };
}

/**
 * The environment a wrangler command needs to act on `accountId` in the e2e emulator instead of
 * api.cloudflare.com, logging every API call it makes (headers and bodies sanitized) to `logDir`.
 */
export const emulatorWranglerEnv = (accountId: string, logDir: string): NodeJS.ProcessEnv => ({
  CLOUDFLARE_API_BASE_URL: apiBaseUrl(),
  CLOUDFLARE_API_TOKEN: apiToken(),
  CLOUDFLARE_ACCOUNT_ID: accountId,
  WRANGLER_LOG: "debug",
  WRANGLER_LOG_PATH: logDir,
});

/** wrangler's output without its telemetry chatter, to explain a command that failed. */
export const explainRun = (run: WranglerRun): string =>
  `wrangler exited with ${run.code}:\n${run.output
    .split("\n")
    .filter((line) => !line.startsWith("Metrics dispatcher"))
    .join("\n")}`;
