import type { MemoryPoint, Row } from "../shared/bench-run.ts";
import type { CpuShare } from "../shared/cpu.ts";
import type { Machine } from "../shared/machine.ts";
import { int, pct } from "../shared/markdown.ts";

export type { MemoryPoint, Row };
/** What an object counted in its storage, against the requests it answered correctly. */
export type Growth = { before: number; after: number };
export type Count = { expected: number; counted: number };

export type Report = {
  date: string;
  machine: Machine;
  /** Which version of the Workers' sources ran. */
  sources: string;
  /** The command line that measured it. */
  command: string;
  scripts: number;
  objects: number;
  /** Tenant runner processes the emulator sent tenants' code, and their objects, to (0: it ran them itself). */
  runners: number;
  upload: { scripts: number; seconds: number };
  /** The measured runs (same count, same concurrency, interleaved), and the front Worker alone. */
  comparison: { namespaceOne: Row; directOne: Row; namespaceSpread: Row; directSpread: Row; front: Row };
  /** First requests to each object, warm-ups. */
  other: Row[];
  memory: MemoryPoint[];
  /** Resident memory before and after every object of each path got its first request (namespace first). */
  touched: { namespace: Growth; direct: Growth };
  /** Resident memory after each round of the measured runs. */
  traffic: { round: number; bytes: number }[];
  /** The one-object runs' objects: what their storage counted. */
  counts: { namespace: Count; direct: Count };
  /** Who used the machine's CPU while the bench measured. */
  cpu: CpuShare;
};

export const COMMAND = "npm run bench:objects";

const ms = (n: number) => (Number.isNaN(n) ? "-" : Math.abs(n) < 10 ? n.toFixed(2) : n.toFixed(1));
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

function row({ label, concurrency, summary: s }: Row): string {
  const cut = s.cutShort ? " (cut short by the time bound)" : "";
  return `| ${label}${cut} | ${int(s.requests)} | ${concurrency} | ${int(s.rps)} | ${ms(s.p50Ms)} | ${ms(s.p99Ms)} | ${ms(s.maxMs)} | ${s.failures} |`;
}

const ratioRow = (label: string, a: Row, b: Row) =>
  `| **${label}** | | | **${ratio(a.summary.rps, b.summary.rps)}** | **${ratio(a.summary.p50Ms, b.summary.p50Ms)}** | **${ratio(a.summary.p99Ms, b.summary.p99Ms)}** | | |`;

const HEADER = [
  "| Run | Requests | Concurrency | Req/s | p50 (ms) | p99 (ms) | max (ms) | Errors |",
  "|---|--:|--:|--:|--:|--:|--:|--:|",
];

/** Whether an object's storage counted exactly the requests it answered. */
export const countsMatch = ({ expected, counted }: Count) => counted === expected;

const countLine = (what: string, c: Count) =>
  `${what}: ${Number.isNaN(c.counted) ? "could not be read" : int(c.counted)} counted, ${int(c.expected)} answered${countsMatch(c) ? "" : " (**mismatch**)"}`;

/**
 * What the figures show, stated from the figures alone: the ratios, and where
 * memory went. The judgement of why is the hand-written reading's.
 */
function reading(r: Report): string {
  const { namespaceOne, directOne, namespaceSpread, directSpread } = r.comparison;
  const one = namespaceOne.summary.rps / directOne.summary.rps;
  const spread = namespaceSpread.summary.rps / directSpread.summary.rps;
  const perObject = ({ before, after }: Growth) => `${((after - before) / r.objects / 1024).toFixed(0)} KiB`;
  const { namespace, direct } = r.touched;
  const start = r.memory[0]?.bytes ?? Number.NaN;
  const end = r.memory.at(-1)?.bytes ?? Number.NaN;
  return [
    `Through the namespace, one object served ${(one * 100).toFixed(0)} % of the requests per second the same class served as an ordinary Durable Object, and ${(spread * 100).toFixed(0)} % spread over ${int(r.objects)} objects.`,
    `Resident memory grew ${perObject(namespace)} per object as the ${int(r.objects)} tenants' objects were first reached (${mib(namespace.before)} → ${mib(namespace.after)}), ${perObject(direct)} per object for the ${int(r.objects)} direct ones (${mib(direct.before)} → ${mib(direct.after)}), and was ${mib(end)} at the end, from ${mib(start)} after start-up.`,
  ].join(" ");
}

/** The results as markdown: what `npm run bench:objects` prints, and what `--write-docs` puts in docs/benchmarks.md. */
export function renderReport(r: Report): string {
  const { namespaceOne, directOne, namespaceSpread, directSpread, front } = r.comparison;
  const m = r.machine;
  return [
    `Measured ${r.date} with \`${r.command}\` (sources: ${r.sources}) on ${m.cores} × ${m.cpu}, ${m.ramGiB.toFixed(0)} GiB RAM, ${m.os};`,
    `Node ${m.node}, wrangler ${m.wrangler}, ${m.workerd} (the workerd binary wrangler ran).`,
    `While it measured, the bench and the processes it started used ${pct(r.cpu.ours)} of the machine's CPU (all cores), other processes ${pct(r.cpu.others)}.`,
    "",
    `${int(r.scripts)} tenant scripts, each with the \`Counter\` class, a binding to it and its migration, uploaded through the REST API in ${r.upload.seconds.toFixed(1)} s; ${int(r.objects / r.scripts)} objects of each reached, ${int(r.objects)} in all.`,
    r.runners === 0
      ? "Tenants' objects ran in the emulator's own process (no tenant runners)."
      : `Tenants' code and objects ran in ${r.runners} tenant runner processes (\`--runners ${r.runners}\`), each script and its objects' host in the runner that runs the script; the direct objects ran in the emulator's process with the front Worker, as without runners.`,
    "",
    "**Tenants' objects through the namespace against the same class as an ordinary Durable Object** (same run and concurrency, every object already reached once, sent in interleaved rounds):",
    "",
    ...HEADER,
    row(namespaceOne),
    row(directOne),
    ratioRow("Namespace / direct, one object", namespaceOne, directOne),
    row(namespaceSpread),
    row(directSpread),
    ratioRow(`Namespace / direct, ${int(r.objects)} objects`, namespaceSpread, directSpread),
    row(front),
    "",
    `Every response was checked (its body names the script and the object that answered). The one-object runs' objects counted in their storage: ${countLine("through the namespace", r.counts.namespace)}; ${countLine("direct", r.counts.direct)}.`,
    "",
    "**First requests and warm-ups:**",
    "",
    ...HEADER,
    ...r.other.map(row),
    "",
    r.runners === 0
      ? "**Resident memory (VmRSS) of the workerd process that runs the emulator, the tenants' objects and the front Worker's:**"
      : "**Resident memory (VmRSS) of the workerd processes that run the emulator, the front Worker's objects and, in the runners, the tenants' objects (summed):**",
    "",
    "| When | RSS |",
    "|---|--:|",
    ...r.memory.map((p) => `| ${p.label} | ${mib(p.bytes)} |`),
    "",
    "**RSS during the measured runs** (every object already reached, so only traffic changes):",
    "",
    "| Rounds completed | RSS |",
    "|--:|--:|",
    ...r.traffic.map((t) => `| ${t.round} | ${mib(t.bytes)} |`),
    "",
    reading(r),
  ].join("\n");
}
