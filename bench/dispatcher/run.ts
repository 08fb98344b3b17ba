/**
 * `npm run bench:dispatcher`: what the dispatcher costs. Starts the emulator,
 * the outbound Worker and a bench-only front Worker in one `wrangler dev`,
 * uploads N tenant scripts through the REST API and writes their routes, then
 * sends, in one run and in interleaved rounds, the same requests through the
 * dispatcher (routing, route cache, plan limits, header hygiene, metering)
 * and straight to each tenant's loaded worker with the same dispatch options.
 * Prints a markdown report; every process it starts is stopped at the end,
 * on error and on Ctrl-C.
 *
 *   npm run bench:dispatcher
 *   npm run bench:dispatcher -- --write-docs     also put the figures in docs/benchmarks.md
 *   npm run bench:dispatcher -- --scripts 50 --requests 4000 --concurrency 16
 */

import { LogPage } from "../../platform/tenant-logs.ts";
import { emulatorApiToken } from "../../scripts/lib/platform.ts";
import { type CpuShare, meterCpu } from "../shared/cpu.ts";
import { type Api, createNamespace, uploadTenantScript } from "../shared/emulator-api.ts";
import { onInterrupt, runMain, withProcesses } from "../shared/lifecycle.ts";
import {
  type LoadResult,
  mergeResults,
  pool,
  runLoad,
  type Summary,
  seededRandom,
  summarize,
  type Target,
} from "../shared/load.ts";
import { describeMachine } from "../shared/machine.ts";
import { DOC_SECTIONS, DOCS_PATH, int, pct, table, writeDocsSection } from "../shared/markdown.ts";
import { dispatcherScope, parseBenchArgs } from "../shared/options.ts";
import { DIRECT_PREFIX, KV_READS_PATH, LOGS_PREFIX, ROUTES_PATH, TAILED_PREFIX } from "./routes.ts";
import { DISPATCHER_FRONT_CONFIG, type DispatcherStack, startDispatcherStack } from "./stack.ts";

const COMMAND = "npm run bench:dispatcher";
const USAGE = `Usage: ${COMMAND} [-- options]

  --scripts N        tenant scripts to upload and route (default 100)
  --requests N       requests through each path, all rounds together (default 20000)
  --rounds N         interleaved rounds the requests are sent in (default 8)
  --concurrency N    requests in flight (default 32)
  --write-docs       write the figures into docs/benchmarks.md
  --help             show this help`;

const STARTUP_TIMEOUT_MS = 120_000;
const UPLOAD_CONCURRENCY = 8;
const SEED = 0xd15c;
/** The issue's targets: the dispatcher keeps at least this share of the direct throughput... */
const TARGET_RPS_SHARE = 0.9;
/** ...and its p50 is at most this multiple of the direct p50. */
const TARGET_P50_FACTOR = 1.1;

type Options = { scripts: number; requests: number; rounds: number; concurrency: number; writeDocs: boolean };

const log = (line: string) => process.stderr.write(`bench:dispatcher: ${line}\n`);
const scriptName = (i: number) => `d${String(i).padStart(5, "0")}`;

const parseOptions = (): Options | undefined =>
  parseBenchArgs({ scripts: 100, requests: 20_000, rounds: 8, concurrency: 32 });

async function kvReads(stack: DispatcherStack): Promise<number> {
  const res = await fetch(`${stack.url}${KV_READS_PATH}`);
  return ((await res.json()) as { reads: number }).reads;
}

/** Uploads the tenant scripts and routes each at `<script>.localhost`, which the path mode `/<script>/` reaches. */
async function setUp(stack: DispatcherStack, options: Options, signal: AbortSignal): Promise<string[]> {
  const { accountId, namespace } = dispatcherScope(DISPATCHER_FRONT_CONFIG);
  const api: Api = { baseUrl: stack.url, token: emulatorApiToken(), accountId };
  const scripts = Array.from({ length: options.scripts }, (_, i) => scriptName(i));
  await createNamespace(api, namespace, signal);
  await pool(scripts.length, UPLOAD_CONCURRENCY, (i) =>
    uploadTenantScript(api, namespace, scripts[i] as string, signal),
  );
  const routes = scripts.map((script) => ({
    hostname: `${script}.localhost`,
    route: { tenantId: script, scriptName: script, plan: "pro", status: "active" },
  }));
  const res = await fetch(`${stack.url}${ROUTES_PATH}`, { method: "POST", body: JSON.stringify(routes), signal });
  if (!res.ok) throw new Error(`writing the routes: HTTP ${res.status} ${await res.text()}`);
  return scripts;
}

/** Through the dispatcher; through it with the tail consumer on (tenants' logs filed); straight to the worker. */
type Path = "dispatcher" | "tailed" | "direct";

const PATH_PREFIX: Record<Path, string> = { dispatcher: "/", tailed: TAILED_PREFIX, direct: DIRECT_PREFIX };

function target(stack: DispatcherStack, path: Path, script: string): Target {
  const url = `${stack.url}${PATH_PREFIX[path]}${script}${path === "direct" ? "" : "/"}`;
  return { url, expected: script };
}

/** Events the tail Worker filed for a tenant (its newest's id: ids count up from 1), to prove the tail path ran. */
async function filedFor(stack: DispatcherStack, script: string): Promise<number> {
  const res = await fetch(`${stack.url}${LOGS_PREFIX}${script}`);
  if (!res.ok) throw new Error(`reading ${script}'s logs: HTTP ${res.status} ${await res.text()}`);
  return LogPage.parse(await res.json()).events[0]?.id ?? 0;
}

async function run(
  stack: DispatcherStack,
  path: Path,
  scripts: string[],
  count: number,
  concurrency: number,
  random: () => number,
  signal: AbortSignal,
): Promise<LoadResult> {
  const picks = Array.from({ length: count }, () => scripts[Math.floor(random() * scripts.length)] as string);
  return runLoad({
    count,
    concurrency,
    maxMs: 10 * 60_000,
    target: (i) => target(stack, path, picks[i] as string),
    signal,
  });
}

type Measured = {
  dispatcher: Summary;
  tailed: Summary;
  direct: Summary;
  /** Events the tail Worker holds for the first tenant, after the runs: the tail path filed them. */
  filed: number;
  /** Per round, dispatcher throughput / direct throughput: how much the machine's other load moved the runs. */
  roundRatios: number[];
  hotRequests: number;
  hotKvReads: number;
  warmKvReads: number;
  /** Who used the machine's CPU during the measured rounds. */
  cpu: CpuShare;
};

async function measure(stack: DispatcherStack, options: Options, signal: AbortSignal): Promise<Measured> {
  log(`uploading ${options.scripts} tenant scripts and writing their routes`);
  const scripts = await setUp(stack, options, signal);

  log("warming up: every script once through each path (loads the workers, fills the route cache)");
  const readsBefore = await kvReads(stack);
  for (const path of ["direct", "dispatcher", "tailed"] as const) {
    const warm = await runLoad({
      count: scripts.length,
      concurrency: 1,
      maxMs: 5 * 60_000,
      target: (i) => target(stack, path, scripts[i] as string),
      signal,
    });
    if (warm.failures > 0) throw new Error(`warm-up through the ${path}: ${warm.failureSamples.join("; ")}`);
  }
  const warmKvReads = (await kvReads(stack)) - readsBefore;

  const random = seededRandom(SEED);
  const perRound = Math.ceil(options.requests / options.rounds);
  const results: Record<Path, LoadResult[]> = { dispatcher: [], tailed: [], direct: [] };
  const hotBefore = await kvReads(stack);
  const cpuShare = meterCpu(stack.group.pid);
  for (let round = 0; round < options.rounds; round++) {
    // Rotate which path goes first, so none always runs on a machine another just warmed.
    const paths: Path[] = ["dispatcher", "tailed", "direct"];
    const order = [...paths.slice(round % 3), ...paths.slice(0, round % 3)];
    for (const path of order) {
      log(`round ${round + 1}/${options.rounds}: ${perRound} requests through the ${path}`);
      results[path].push(await run(stack, path, scripts, perRound, options.concurrency, random, signal));
    }
  }
  const cpu = cpuShare();
  const hotKvReads = (await kvReads(stack)) - hotBefore;
  const dispatcher = summarize(mergeResults(results.dispatcher));
  const tailed = summarize(mergeResults(results.tailed));
  const direct = summarize(mergeResults(results.direct));
  const filed = await filedFor(stack, scripts[0] as string);
  const roundRatios = results.dispatcher.map(
    (result, i) => summarize(result).rps / summarize(results.direct[i] as LoadResult).rps,
  );
  return {
    dispatcher,
    tailed,
    direct,
    filed,
    roundRatios,
    hotRequests: dispatcher.requests + tailed.requests,
    hotKvReads,
    warmKvReads,
    cpu,
  };
}

const ms = (n: number) => (Math.abs(n) < 10 ? n.toFixed(2) : n.toFixed(1));
const cells = (label: string, s: Summary) => [
  label,
  int(s.requests),
  int(s.rps),
  ms(s.p50Ms),
  ms(s.p99Ms),
  ms(s.maxMs),
  String(s.failures),
];

function render(m: Measured, options: Options, stack: DispatcherStack): string {
  const machine = describeMachine(stack.workerdVersion);
  const rpsShare = m.dispatcher.rps / m.direct.rps;
  const p50Factor = m.dispatcher.p50Ms / m.direct.p50Ms;
  const p99Factor = m.dispatcher.p99Ms / m.direct.p99Ms;
  const perThousand = (m.hotKvReads / m.hotRequests) * 1000;
  const tailShare = m.tailed.rps / m.dispatcher.rps;
  const tailP50 = m.tailed.p50Ms / m.dispatcher.p50Ms;
  const tailP99 = m.tailed.p99Ms / m.dispatcher.p99Ms;
  const verdict = (ok: boolean) => (ok ? "met" : "**not met**");
  return [
    `Measured ${new Date().toISOString().slice(0, 10)} with \`${COMMAND}\` on ${machine.cores} × ${machine.cpu}, ${machine.ramGiB.toFixed(0)} GiB RAM, ${machine.os};`,
    `Node ${machine.node}, wrangler ${machine.wrangler}, ${machine.workerd}. ${int(options.scripts)} tenants, concurrency ${options.concurrency}, ${options.rounds} interleaved rounds.`,
    `While it measured, the bench and its processes used ${pct(m.cpu.ours)} of the machine's CPU (all cores), other processes ${pct(m.cpu.others)}.`,
    "",
    ...table(
      ["Path", "Requests", "Req/s", "p50 (ms)", "p99 (ms)", "max (ms)", "Errors"],
      [
        cells("Through the dispatcher (`/<tenant>/`)", m.dispatcher),
        cells("Through the dispatcher, tail consumer on", m.tailed),
        cells("Straight to the tenant's worker", m.direct),
        ["**Dispatcher / direct**", "", ...[rpsShare, p50Factor, p99Factor].map((r) => `**${r.toFixed(2)}×**`), "", ""],
        ["**Tail on / tail off**", "", ...[tailShare, tailP50, tailP99].map((r) => `**${r.toFixed(2)}×**`), "", ""],
      ],
    ),
    "",
    `- Throughput kept: ${(rpsShare * 100).toFixed(1)} % of direct (target ≥ ${TARGET_RPS_SHARE * 100} %: ${verdict(rpsShare >= TARGET_RPS_SHARE)}); round by round: ${m.roundRatios.map((r) => `${r.toFixed(2)}×`).join(", ")}.`,
    `- Added at p50: ${ms(m.dispatcher.p50Ms - m.direct.p50Ms)} ms, ${((p50Factor - 1) * 100).toFixed(1)} % (target ≤ ${((TARGET_P50_FACTOR - 1) * 100).toFixed(0)} %: ${verdict(p50Factor <= TARGET_P50_FACTOR)}); at p99: ${ms(m.dispatcher.p99Ms - m.direct.p99Ms)} ms.`,
    `- With the tail consumer on, each tenant's trace events go to the tail Worker (tail/) after the response, which files them in the tenant's Durable Object: ${(tailShare * 100).toFixed(1)} % of the throughput with it off, p50 ${ms(m.tailed.p50Ms - m.dispatcher.p50Ms)} ms more. The first tenant's newest filed event after the runs was its ${int(m.filed)}th.`,
    `- Routing table (KV) reads: ${int(m.warmKvReads)} while warming up (one per tenant hostname), then ${int(m.hotKvReads)} in ${int(m.hotRequests)} hot requests: **${perThousand.toFixed(2)} per 1,000** (target 0).`,
  ].join("\n");
}

async function main(options: Options): Promise<number> {
  const abort = new AbortController();
  let stack: DispatcherStack | undefined;
  onInterrupt(abort, () => stack?.group.kill());
  log("starting the emulator, the outbound Worker and the bench front Worker (wrangler dev)");
  stack = await startDispatcherStack(STARTUP_TIMEOUT_MS);
  const started = stack;
  const measured = await withProcesses(started, abort.signal, log, () => measure(started, options, abort.signal));
  const report = render(measured, options, stack);
  process.stdout.write(`${report}\n`);
  if (measured.dispatcher.failures > 0 || measured.tailed.failures > 0 || measured.direct.failures > 0) {
    log("some requests failed: the figures are incomplete (docs not written)");
    return 1;
  }
  if (options.writeDocs) {
    writeDocsSection(DOC_SECTIONS.dispatcher, report);
    log(`figures written to ${DOCS_PATH}`);
  }
  return 0;
}

runMain(COMMAND, USAGE, parseOptions, main);
