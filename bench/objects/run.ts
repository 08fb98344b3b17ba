/**
 * `npm run bench:objects`: tenants' Durable Objects under load. Starts the
 * emulator and a bench-only front Worker in one `wrangler dev` on a free
 * loopback port, uploads tenant scripts that each have a `Counter` Durable
 * Object class, then measures, in one run: requests to one object and spread
 * uniformly over 1,000 objects of 10 scripts through the dispatch namespace,
 * and the same requests to the same class run as the front Worker's own
 * ordinary Durable Object, plus the resident memory of workerd as the objects
 * are reached. Prints a markdown report; every process it starts is stopped at
 * the end, on error and on Ctrl-C.
 *
 *   npm run bench:objects
 *   npm run bench:objects -- --write-docs       also put the figures in docs/benchmarks.md
 *   npm run bench:objects -- --requests 2000 --concurrency 16
 */
import path from "node:path";
import { REPO_ROOT } from "../../scripts/lib/wrangler-dev.ts";
import { measureOnStack } from "../namespace/stack.ts";
import { log } from "../shared/bench-run.ts";
import { runMain } from "../shared/lifecycle.ts";
import { DOC_SECTIONS, DOCS_PATH, writeDocsSection } from "../shared/markdown.ts";
import { parseBenchArgs, runnersOption } from "../shared/options.ts";
import { measure, type Options } from "./phases.ts";
import { COMMAND, countsMatch, type Report, renderReport } from "./report.ts";

/** The bench-only front Worker: /ns/<script>/<object> through the namespace, /direct/<object> its own objects. */
const FRONT_CONFIG = path.join(REPO_ROOT, "bench/objects/worker/wrangler.toml");

const USAGE = `Usage: ${COMMAND} [-- options]

  --scripts N        tenant scripts to upload, each with the Counter class (default 10)
  --objects N        objects reached through the namespace, spread evenly over the scripts,
                     and as many direct ones (default 1000; a multiple of --scripts)
  --requests N       requests in each measured run (default 10000)
  --concurrency N    requests in flight (default 32)
  --max-seconds N    time bound for the bench once wrangler is up (default 480)
  --commit REV       run the Workers as they are in that commit (default: the working tree)
  --runners N        run tenants' code and objects in N tenant runners, as npm run dev does
                     (default 0: in the emulator)
  --write-docs       write the figures into docs/benchmarks.md
  --help             show this help`;

type ObjectsOptions = Options & { writeDocs: boolean; commit: string | undefined; runners: number };

function parseOptions(): ObjectsOptions | undefined {
  const args = parseBenchArgs({ scripts: 10, objects: 1000, requests: 10_000, concurrency: 32, maxSeconds: 480 }, [
    "commit",
    "runners",
  ]);
  if (args === undefined) return undefined;
  const runners = runnersOption(args.runners);
  if (args.objects % args.scripts !== 0)
    throw new Error(`--objects (${args.objects}) must be a multiple of --scripts (${args.scripts})`);
  return { ...args, runners };
}

/** Whether every run answered every request correctly, got to its end, and every count matched. */
function complete(report: Report): boolean {
  const rows = [...Object.values(report.comparison), ...report.other];
  const counted = countsMatch(report.counts.namespace) && countsMatch(report.counts.direct);
  return counted && rows.every((r) => r.summary.failures === 0 && !r.summary.cutShort);
}

async function main(options: ObjectsOptions): Promise<number> {
  const report = await measureOnStack(FRONT_CONFIG, options, (stack, scope, signal) =>
    measure(stack, options, scope, signal),
  );

  process.stdout.write(`${renderReport(report)}\n`);
  if (!complete(report)) {
    log(
      "some runs had errors, were cut short by the time bound, or an object's count did not match: the figures are incomplete (docs not written)",
    );
    return 1;
  }
  if (options.writeDocs) {
    writeDocsSection(DOC_SECTIONS.objects, renderReport(report));
    log(`figures written to ${DOCS_PATH}`);
  }
  return 0;
}

runMain(COMMAND, USAGE, parseOptions, main);
