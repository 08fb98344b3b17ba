/**
 * `npm run bench:onboarding`: how fast tenants are onboarded. Starts the whole
 * platform as `npm run dev` does (emulator, outbound, control plane,
 * dispatcher; free ports, temporary state), then
 *   1. onboards tenants one after another through POST /v1/tenants (a small
 *      script with KV, R2 and a migrated D1), timing each from the POST to the
 *      first 200 from its hostname through the dispatcher, and counting the
 *      Cloudflare API calls each one took (the emulator's counter);
 *   1b. rolls new code (the same D1 migrations) out to those tenants, counting
 *      the API calls per tenant;
 *   2. onboards many tenants at once, every POST fired together, with the
 *      emulator's rate limiter on and the control plane's API budget set to
 *      the same limit: wall time, failures, 429s, the peak request rate the
 *      API saw, and the fairness targets (the 202's p50, p50 to `active`).
 *      Twice: each tenant with its own code, then all with one bundle, a
 *      template the API has accepted already.
 * Prints a markdown report; every process it starts is stopped at the end,
 * on error and on Ctrl-C.
 *
 *   npm run bench:onboarding
 *   npm run bench:onboarding -- --write-docs     also put the figures in docs/benchmarks.md
 *   npm run bench:onboarding -- --sequential 5 --concurrent 20
 */
import { onInterrupt, runMain, withProcesses } from "../shared/lifecycle.ts";
import { DOC_SECTIONS, DOCS_PATH, writeDocsSection } from "../shared/markdown.ts";
import { parseBenchArgs } from "../shared/options.ts";
import { ControlPlane, EmulatorAdmin } from "./client.ts";
import { type Clients, log, type Options, runConcurrent, runRollout, runSequential } from "./phases.ts";
import { COMMAND, render } from "./report.ts";
import { type PlatformStack, startPlatformStack } from "./stack.ts";

const USAGE = `Usage: ${COMMAND} [-- options]

  --sequential N      tenants onboarded one after another (default 20)
  --concurrent N      tenants onboarded all at once (default 200)
  --rate-limit N      API calls allowed per window while they are (default 300)
  --rate-window S     the window, in seconds (default 10)
  --max-seconds S     give up on the concurrent onboardings after this long (default 900)
  --write-docs        write the figures into docs/benchmarks.md
  --help              show this help`;

const STARTUP_TIMEOUT_MS = 180_000;

const parseOptions = (): Options | undefined =>
  parseBenchArgs({ sequential: 20, concurrent: 200, rateLimit: 300, rateWindow: 10, maxSeconds: 900 });

async function main(options: Options): Promise<number> {
  const abort = new AbortController();
  let stack: PlatformStack | undefined;
  onInterrupt(abort, () => (stack === undefined ? undefined : Promise.allSettled(stack.groups.map((g) => g.kill()))));
  log("starting the emulator, outbound, the control plane and the dispatcher (wrangler dev)");
  const budget = {
    CLOUDFLARE_API_RATE_LIMIT: String(options.rateLimit),
    CLOUDFLARE_API_RATE_WINDOW_SECONDS: String(options.rateWindow),
  };
  stack = await startPlatformStack({
    startupTimeoutMs: STARTUP_TIMEOUT_MS,
    vars: { "control-plane": budget },
    signal: abort.signal,
  });
  const clients: Clients = {
    controlPlane: new ControlPlane(stack.urls["control-plane"]),
    emulator: new EmulatorAdmin(stack.urls.emulator),
    dispatcherUrl: stack.urls.dispatcher,
  };
  const started = stack;
  const { report, failed } = await withProcesses(started, abort.signal, log, async () => {
    const seq = await runSequential(clients, options, abort.signal);
    // Rolled out to the tenants onboarded one at a time (none with --sequential 0: no rollout).
    const ids = seq.runs.map((run) => run.id);
    const rollout = ids.length === 0 ? null : await runRollout(clients, ids, abort.signal);
    const cons = [];
    for (const code of ["own", "shared"] as const)
      cons.push(await runConcurrent(clients, started, options, abort.signal, code));
    return { report: render(seq, rollout, cons, started), failed: cons.reduce((sum, con) => sum + con.failed, 0) };
  });
  process.stdout.write(`${report}\n`);
  if (options.writeDocs) {
    writeDocsSection(DOC_SECTIONS.onboarding, report);
    log(`figures written to ${DOCS_PATH}`);
  }
  return failed === 0 ? 0 : 1;
}

runMain(COMMAND, USAGE, parseOptions, main);
