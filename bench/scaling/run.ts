/**
 * `npm run bench:scaling`: how the control plane's cost grows with the
 * number of tenants. For each size (100, 1,000, 3,000, 10,000 tenants by
 * default) it starts a platform of its own as `npm run dev` does (free ports,
 * temporary state): the first size's tenants all onboarded through POST
 * /v1/tenants; each larger one seeded, before its Workers start, with copies
 * of the registry rows and route of one of those real onboardings, then topped
 * up by `--real` onboardings through the API. At each size it measures a
 * tenant lookup, the first and the last list page, the dispatcher's routing
 * table reads (cached and not), a rollout's planning and the registry's D1
 * size; at the last, a rollout of new code to `--fleet` tenants, counting its
 * API calls. Prints a markdown report; every process it starts is stopped at
 * the end, on error and on Ctrl-C.
 *
 *   npm run bench:scaling
 *   npm run bench:scaling -- --write-docs        also put the figures in docs/scaling.md
 *   npm run bench:scaling -- --steps 100,300 --fleet 50     a quick run
 */
import { execFileSync } from "node:child_process";
import { REPO_ROOT } from "../../scripts/lib/wrangler-dev.ts";
import { type PlatformStack, startPlatformStack } from "../onboarding/stack.ts";
import { onInterrupt, runMain } from "../shared/lifecycle.ts";
import { DOC_SECTIONS, docsPathOf, writeDocsSection } from "../shared/markdown.ts";
import { parseBenchArgs } from "../shared/options.ts";
import { COMMAND, render } from "./report.ts";
import { log, type Options, runCourse, type StartStack } from "./steps.ts";

const USAGE = `Usage: ${COMMAND} [-- options]

  --steps N,N,...     the sizes measured, ascending (default 100,1000,3000,10000)
  --real N            tenants onboarded through the API at each size after the first (default 100)
  --fleet N           tenants the last size's rollout deploys to (default 1000)
  --concurrency N     onboardings in flight at once (default 8)
  --rate-limit N      API calls allowed per window, in the emulator and the control plane's budget (default 1200)
  --rate-window S     the window, in seconds (default 20: 15 times Cloudflare's 1,200 per 300 s)
  --max-seconds S     give up on a rollout after this long (default 1800)
  --commit REF        the commit whose Workers run at every size (default HEAD, resolved once at the start:
                      every size runs the same code, whatever the working tree does meanwhile)
  --write-docs        write the figures into docs/scaling.md
  --help              show this help`;

const STARTUP_TIMEOUT_MS = 180_000;
const DEFAULT_STEPS = [100, 1000, 3000, 10_000];
/** Each size has room for every sample the bench draws from its tenants. */
const MIN_STEP = 100;

function parseSteps(raw: string | undefined): number[] {
  if (raw === undefined) return DEFAULT_STEPS;
  const steps = raw.split(",").map(Number);
  const ascending = steps.every(
    (n, i) => Number.isInteger(n) && n >= MIN_STEP && (i === 0 || n > (steps[i - 1] as number)),
  );
  if (!ascending || steps.length === 0)
    throw new Error(`--steps must be ascending whole numbers of ${MIN_STEP} or more, not "${raw}"`);
  return steps;
}

/** The full hash of `ref`: HEAD moving mid-run must not change the code the next size runs. */
function resolveCommit(ref = "HEAD"): string {
  return execFileSync("git", ["--no-optional-locks", "rev-parse", "--verify", `${ref}^{commit}`], { cwd: REPO_ROOT })
    .toString()
    .trim();
}

function parseOptions(): Options | undefined {
  const args = parseBenchArgs(
    { real: 100, fleet: 1000, concurrency: 8, rateLimit: 1200, rateWindow: 20, maxSeconds: 1800 },
    ["steps", "commit"],
  );
  return args === undefined
    ? undefined
    : { ...args, steps: parseSteps(args.steps), commit: resolveCommit(args.commit) };
}

async function main(options: Options): Promise<number> {
  const abort = new AbortController();
  let stack: PlatformStack | undefined;
  onInterrupt(abort, () => (stack === undefined ? undefined : Promise.allSettled(stack.groups.map((g) => g.kill()))));
  const budget = {
    CLOUDFLARE_API_RATE_LIMIT: String(options.rateLimit),
    CLOUDFLARE_API_RATE_WINDOW_SECONDS: String(options.rateWindow),
  };
  const start: StartStack = async (prepareState) => {
    log("starting the emulator, outbound, the control plane and the dispatcher (wrangler dev)");
    stack = await startPlatformStack({
      startupTimeoutMs: STARTUP_TIMEOUT_MS,
      vars: { "control-plane": budget },
      commit: options.commit,
      ...(prepareState === undefined ? {} : { prepareState }),
      signal: abort.signal,
    });
    return stack;
  };
  const course = await runCourse(start, options, abort.signal);
  const report = render(course, stack?.sources ?? "unknown", stack?.workerdVersion ?? "unknown");
  process.stdout.write(`${report}\n`);
  if (options.writeDocs) {
    writeDocsSection(DOC_SECTIONS.scaling, report);
    log(`figures written to ${docsPathOf(DOC_SECTIONS.scaling)}`);
  }
  return 0;
}

runMain(COMMAND, USAGE, parseOptions, main);
