/**
 * `npm run bench`: the dispatch namespace under load. Starts the emulator and a
 * bench-only front Worker in one `wrangler dev` on a free loopback port,
 * uploads N tenant scripts through the REST API, then measures, in one run:
 * requests spread uniformly over every script through the namespace, and the
 * same requests to one worker loaded directly, plus the resident memory of
 * workerd as the scripts are loaded. Prints a markdown report; every process
 * it starts is stopped at the end, on error and on Ctrl-C.
 *
 *   npm run bench
 *   npm run bench -- --write-docs       also put the figures in docs/benchmarks.md
 *   npm run bench -- --scripts 200 --requests 5000 --concurrency 16
 */

import { log } from "../shared/bench-run.ts";
import { runMain } from "../shared/lifecycle.ts";
import { DOC_SECTIONS, DOCS_PATH, writeDocsSection } from "../shared/markdown.ts";
import { parseBenchArgs, runnersOption } from "../shared/options.ts";
import { measure, type Options } from "./phases.ts";
import { COMMAND, type Report, renderReport } from "./report.ts";
import { FRONT_CONFIG, measureOnStack } from "./stack.ts";

const USAGE = `Usage: ${COMMAND} [-- options]

  --scripts N        tenant scripts to upload (default 1000)
  --requests N       requests in each measured run (default 20000)
  --concurrency N    requests in flight (default 32)
  --max-seconds N    time bound for the bench once wrangler is up (default 600)
  --commit REV       run the Workers as they are in that commit (default: the working tree)
  --runners N        run tenants' code in N tenant runners, as npm run dev does (default 0: in the emulator)
  --write-docs       write the figures into docs/benchmarks.md
  --help             show this help`;

type NamespaceOptions = Options & { writeDocs: boolean; commit: string | undefined; runners: number };

function parseOptions(): NamespaceOptions | undefined {
  const args = parseBenchArgs({ scripts: 1000, requests: 20_000, concurrency: 32, maxSeconds: 600 }, [
    "commit",
    "runners",
  ]);
  if (args === undefined) return undefined;
  const runners = runnersOption(args.runners);
  return { ...args, runners };
}

/** Whether every run answered every request correctly and got to its end. */
function complete(report: Report): boolean {
  const rows = [...Object.values(report.comparison), ...report.other];
  return rows.every((r) => r.summary.failures === 0 && !r.summary.cutShort);
}

async function main(options: NamespaceOptions): Promise<number> {
  const report = await measureOnStack(FRONT_CONFIG, options, (stack, scope, signal) =>
    measure(stack, options, scope, signal),
  );

  process.stdout.write(`${renderReport(report)}\n`);
  if (!complete(report)) {
    log("some runs had errors or were cut short by the time bound: the figures are incomplete (docs not written)");
    return 1;
  }
  if (options.writeDocs) {
    writeDocsSection(
      options.runners > 0 ? DOC_SECTIONS.namespaceRunners : DOC_SECTIONS.namespace,
      renderReport(report),
    );
    log(`figures written to ${DOCS_PATH}`);
  }
  return 0;
}

runMain(COMMAND, USAGE, parseOptions, main);
