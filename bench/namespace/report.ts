import type { MemoryPoint, Row } from "../shared/bench-run.ts";
import type { CpuShare } from "../shared/cpu.ts";
import type { Machine } from "../shared/machine.ts";
import { int, pct } from "../shared/markdown.ts";

export type { MemoryPoint, Row };

export type Report = {
  date: string;
  machine: Machine;
  /** Which version of the Workers' sources ran. */
  sources: string;
  /** The command line that measured it. */
  command: string;
  scripts: number;
  /** Tenant runner processes the emulator sent tenants' code to (0: it ran the code itself). */
  runners: number;
  upload: {
    scripts: number;
    seconds: number;
    /**
     * CPU time each upload cost (ms): the workerd that runs the emulator (whose Workers, isolate
     * starts included, share one thread, so 1,000 / runtime bounds the rate), the bench's client,
     * the tenant runners together, and every process of the stack with the client (wrangler and its
     * proxy too, so cores × 1,000 / all bounds the rate on this machine). Unlike the rate, it hardly
     * depends on the machine's other work.
     */
    cpuMsPerUpload: { runtime: number; client: number; runners: number; all: number };
  };
  /**
   * The measured runs, all with the same count and concurrency: the namespace run, the direct run, the
   * front Worker alone, the namespace path to one script only, and its `get()` alone.
   */
  comparison: { namespace: Row; direct: Row; front: Row; oneScript: Row; getOnly: Row };
  /** Cold loads, passes over every script, warm-ups. */
  other: Row[];
  memory: MemoryPoint[];
  /** Resident memory after each step of the first pass: how many distinct scripts were loaded by then. */
  growth: { loaded: number; bytes: number }[];
  /** Resident memory after each round of the measured runs: how many namespace requests had completed by then. */
  traffic: { requests: number; bytes: number }[];
  /** How much workerd's memory grew as bare workers (the tenant code alone) were loaded, each once. */
  bare: { workers: number; bytes: number };
  /** Who used the machine's CPU while the bench measured. */
  cpu: CpuShare;
};

export const COMMAND = "npm run bench";

/** What an upload cost in CPU, and the rates the runtime's one thread and the machine's cores allow at that cost. */
function uploadCpu(r: Report): string {
  const { runtime, client, runners, all } = r.upload.cpuMsPerUpload;
  const { cores } = r.machine;
  const inRunners = r.runners === 0 ? "" : `, the tenant runners ${runners.toFixed(1)} ms`;
  return [
    `CPU time per upload: ${runtime.toFixed(1)} ms in the workerd that runs the emulator (its Workers, Durable Objects and loaded isolates share one thread: about ${int(1000 / runtime)} uploads/s at most), ${client.toFixed(1)} ms in the bench's client${inRunners}.`,
    `All the processes of the bench together (wrangler, its proxy, the runtime${r.runners === 0 ? "" : ", the runners"} and the client): ${all.toFixed(1)} ms per upload, so about ${int((cores * 1000) / all)} uploads/s at most on this machine's ${cores} cores, however the work were spread over them.`,
  ].join("\n");
}

const ms = (n: number) => (Number.isNaN(n) ? "-" : Math.abs(n) < 10 ? n.toFixed(2) : n.toFixed(1));
const signedMs = (n: number) => (n >= 0 ? `+${ms(n)}` : `−${ms(-n)}`);
/**
 * A cost worked out as the difference of two runs' 1/throughput: when the run that does more came out
 * faster, the difference is the machine's noise, not a negative cost.
 */
const costMs = (n: number) => (n >= 0 ? `${ms(n)} ms` : `nothing measurable (${signedMs(n)} ms, within the noise)`);
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
/** Milliseconds of the saturated machine each request takes: 1/throughput. */
const serviceMs = (r: Row) => 1000 / r.summary.rps;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

function row({ label, concurrency, summary: s }: Row): string {
  const cut = s.cutShort ? " (cut short by the time bound)" : "";
  return `| ${label}${cut} | ${int(s.requests)} | ${concurrency} | ${int(s.rps)} | ${ms(s.p50Ms)} | ${ms(s.p99Ms)} | ${ms(s.maxMs)} | ${s.failures} |`;
}

const HEADER = [
  "| Run | Requests | Concurrency | Req/s | p50 (ms) | p99 (ms) | max (ms) | Errors |",
  "|---|--:|--:|--:|--:|--:|--:|--:|",
];

/** The results as markdown: what `npm run bench` prints, and what `--write-docs` puts in docs/benchmarks.md. */
export function renderReport(r: Report): string {
  const { namespace, direct, front, oneScript, getOnly } = r.comparison;
  const m = r.machine;
  const first = r.growth[0];
  const last = r.growth.at(-1);
  const perScript =
    first !== undefined && last !== undefined && last.loaded > first.loaded
      ? (last.bytes - first.bytes) / (last.loaded - first.loaded)
      : Number.NaN;
  return [
    `Measured ${r.date} with \`${r.command}\` (sources: ${r.sources}) on ${m.cores} × ${m.cpu}, ${m.ramGiB.toFixed(0)} GiB RAM, ${m.os};`,
    `Node ${m.node}, wrangler ${m.wrangler}, ${m.workerd} (the workerd binary wrangler ran).`,
    `While it measured, the bench and the processes it started used ${pct(r.cpu.ours)} of the machine's CPU (all cores), other processes ${pct(r.cpu.others)}.`,
    "",
    `${int(r.scripts)} tenant scripts uploaded through the REST API in ${r.upload.seconds.toFixed(1)} s (${int(r.upload.scripts / r.upload.seconds)} uploads/s).`,
    uploadCpu(r),
    r.runners === 0
      ? "Tenants' code ran in the emulator's own process (no tenant runners)."
      : `Tenants' code ran in ${r.runners} tenant runner processes (\`--runners ${r.runners}\`): every namespace request crossed from the emulator to a runner over HTTP, and every binding call back; the direct run loads its worker in the emulator's process, as without runners.`,
    "",
    "**Namespace against one directly loaded worker** (same run and concurrency, all warm, sent in interleaved rounds):",
    "",
    ...HEADER,
    row(namespace),
    row(direct),
    `| **Namespace / direct** | | | **${ratio(namespace.summary.rps, direct.summary.rps)}** | **${ratio(namespace.summary.p50Ms, direct.summary.p50Ms)}** | **${ratio(namespace.summary.p99Ms, direct.summary.p99Ms)}** | | |`,
    row(front),
    row(oneScript),
    row(getOnly),
    "",
    `Namespace against direct at this concurrency: ${signedMs(namespace.summary.p50Ms - direct.summary.p50Ms)} ms at p50, ${signedMs(namespace.summary.p99Ms - direct.summary.p99Ms)} ms at p99. ` +
      `With the machine saturated, 1/throughput is what each request costs it: ${ms(serviceMs(namespace))} ms through the namespace, ${ms(serviceMs(direct))} ms direct, ${ms(serviceMs(front))} ms for the front Worker alone (HTTP, wrangler's dev proxy and the client, no loaded worker). ` +
      `Of the ${ms(serviceMs(oneScript) - serviceMs(front))} ms one warm script costs over the front alone, the namespace's \`get()\` (an RPC into its entrypoint, handing back the script's Fetcher) takes ${costMs(serviceMs(getOnly) - serviceMs(front))}, and its \`fetch()\` (into the emulator's ScriptRunner, then the loaded worker) the rest; direct's one hop into its loaded worker takes ${costMs(serviceMs(direct) - serviceMs(front))}.`,
    "",
    "**Cold loads and passes over every script:**",
    "",
    ...HEADER,
    ...r.other.map(row),
    "",
    r.runners === 0
      ? "**Resident memory (VmRSS) of the workerd process that runs the emulator and the tenant scripts:**"
      : "**Resident memory (VmRSS) of the workerd processes that run the emulator and the tenant scripts (the emulator's and the runners', summed):**",
    "",
    "| When | RSS |",
    "|---|--:|",
    ...r.memory.map((p) => `| ${p.label} | ${mib(p.bytes)} |`),
    "",
    "**RSS while the first pass loads the scripts:**",
    "",
    "| Distinct scripts loaded | RSS |",
    "|--:|--:|",
    ...r.growth.map((g) => `| ${int(g.loaded)} | ${mib(g.bytes)} |`),
    "",
    `Growth over the first pass: ${Number.isNaN(perScript) ? "-" : `${(perScript / 1024).toFixed(0)} KiB`} per distinct script loaded. ` +
      `A bare worker (the tenant code alone, loaded straight into the Worker Loader, ${int(r.bare.workers)} of them at the end of the run) grew it by ${(r.bare.bytes / r.bare.workers / 1024).toFixed(0)} KiB each.`,
    "",
    "**RSS during the measured runs** (every script already loaded, so only traffic changes):",
    "",
    "| Namespace requests completed | RSS |",
    "|--:|--:|",
    ...r.traffic.map((t) => `| ${int(t.requests)} | ${mib(t.bytes)} |`),
  ].join("\n");
}
