/**
 * `npm run bench:onboarding`: how fast tenants are onboarded. Starts the whole
 * platform as `npm run dev` does (emulator, outbound, control plane,
 * dispatcher; free ports, temporary state), then
 *   1. onboards tenants one after another through POST /v1/tenants (a small
 *      script with KV, R2 and a migrated D1), timing each from the POST to the
 *      first 200 from its hostname through the dispatcher, and counting the
 *      Cloudflare API calls each one took (the emulator's counter);
 *   2. onboards many tenants at once, every POST fired together, with the
 *      emulator's rate limiter on and the control plane's API budget set to
 *      the same limit: wall time, failures, 429s, and the peak request rate
 *      the API saw.
 * Prints a markdown report; every process it starts is stopped at the end,
 * on error and on Ctrl-C.
 *
 *   npm run bench:onboarding
 *   npm run bench:onboarding -- --write-docs     also put the figures in docs/benchmarks.md
 *   npm run bench:onboarding -- --sequential 5 --concurrent 20
 */
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import { type CpuShare, meterCpu } from "../shared/cpu.ts";
import { onInterrupt, runMain, withProcesses } from "../shared/lifecycle.ts";
import { percentile, pool } from "../shared/load.ts";
import { describeMachine } from "../shared/machine.ts";
import { DOC_SECTIONS, DOCS_PATH, table, writeDocsSection } from "../shared/markdown.ts";
import { positiveInt } from "../shared/options.ts";
import {
  type CallCounts,
  ControlPlane,
  EmulatorAdmin,
  getThroughDispatcher,
  type RateLimit,
  type Tenant,
} from "./client.ts";
import { type PlatformStack, startPlatformStack } from "./stack.ts";

const COMMAND = "npm run bench:onboarding";
const USAGE = `Usage: ${COMMAND} [-- options]

  --sequential N      tenants onboarded one after another (default 20)
  --concurrent N      tenants onboarded all at once (default 200)
  --rate-limit N      API calls allowed per window while they are (default 300)
  --rate-window S     the window, in seconds (default 10)
  --max-seconds S     give up on the concurrent onboardings after this long (default 900)
  --write-docs        write the figures into docs/benchmarks.md
  --help              show this help`;

const STARTUP_TIMEOUT_MS = 180_000;
/** How often a sequential onboarding polls the tenant's hostname and its state. */
const POLL_MS = 25;
/** How often the concurrent run lists the tenants (a few GETs of 100 each). */
const LIST_POLL_MS = 500;
const ONBOARDING_TIMEOUT_MS = 180_000;
const VERIFY_CONCURRENCY = 8;
const FAILURE_SAMPLES = 5;
const PLATFORM_DOMAIN = "localhost";

type Options = {
  sequential: number;
  concurrent: number;
  rateLimit: number;
  rateWindowSeconds: number;
  maxSeconds: number;
  writeDocs: boolean;
};

const log = (line: string) => process.stderr.write(`bench:onboarding: ${line}\n`);
const tenantId = (prefix: string, i: number) => `${prefix}${String(i).padStart(4, "0")}`;
const hostnameOf = (id: string) => `${id}.${PLATFORM_DOMAIN}`;

function parseOptions(): Options | undefined {
  const { values } = parseArgs({
    options: {
      sequential: { type: "string" },
      concurrent: { type: "string" },
      "rate-limit": { type: "string" },
      "rate-window": { type: "string" },
      "max-seconds": { type: "string" },
      "write-docs": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  if (values.help) return undefined;
  return {
    sequential: positiveInt("sequential", values.sequential, 20),
    concurrent: positiveInt("concurrent", values.concurrent, 200),
    rateLimit: positiveInt("rate-limit", values["rate-limit"], 300),
    rateWindowSeconds: positiveInt("rate-window", values["rate-window"], 10),
    maxSeconds: positiveInt("max-seconds", values["max-seconds"], 900),
    writeDocs: values["write-docs"],
  };
}

/** The command line as run, for the report. */
function commandLine(): string {
  const args = process.argv.slice(2);
  return args.length === 0 ? COMMAND : `${COMMAND} -- ${args.join(" ")}`;
}

type Clients = { controlPlane: ControlPlane; emulator: EmulatorAdmin; dispatcherUrl: string };

/** One onboarding, timed from the moment its POST is sent (ms). */
type Timed = {
  id: string;
  accepted: number;
  active: number;
  firstOk: number;
  /** When each step of the provisioning was first seen running. */
  steps: { step: string; at: number }[];
};

/** Polls `attempt` every POLL_MS until it gives a value, or fails after the onboarding timeout. */
async function until<T>(what: string, attempt: () => Promise<T | undefined>, signal: AbortSignal): Promise<T> {
  const deadline = performance.now() + ONBOARDING_TIMEOUT_MS;
  for (;;) {
    signal.throwIfAborted();
    const value = await attempt();
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`${what}: not within ${ONBOARDING_TIMEOUT_MS / 1000} s`);
    await sleep(POLL_MS);
  }
}

/**
 * POST, then poll the tenant's hostname until it answers 200 with the
 * script's own answer, and its state until `active`, at the same time: the
 * gap between the two is the dispatcher's part.
 */
async function onboardOne(clients: Clients, id: string, signal: AbortSignal): Promise<Timed> {
  const t0 = performance.now();
  const since = () => performance.now() - t0;
  const refused = await clients.controlPlane.create(id);
  if (refused !== null) throw new Error(refused);
  const accepted = since();
  const steps: Timed["steps"] = [];
  const [active, firstOk] = await Promise.all([
    until(
      `${id} active`,
      async () => {
        const tenant = await clients.controlPlane.get(id);
        const step = tenant.operation?.step ?? null;
        if (step !== null && steps.at(-1)?.step !== step) steps.push({ step, at: since() });
        if (tenant.state === "failed")
          throw new Error(`${id} failed: ${tenant.lastError?.message ?? "no error recorded"}`);
        return tenant.state === "active" ? since() : undefined;
      },
      signal,
    ),
    until(
      `${id} answering 200`,
      async () => {
        const { status, body } = await getThroughDispatcher(clients.dispatcherUrl, hostnameOf(id));
        return status === 200 && body === id ? since() : undefined;
      },
      signal,
    ),
  ]);
  return { id, accepted, active, firstOk, steps };
}

type Sequential = { warmUp: Timed; runs: Timed[]; calls: CallCounts };

async function runSequential(clients: Clients, options: Options, signal: AbortSignal): Promise<Sequential> {
  log("warming up: the first onboarding after start-up (reported on its own)");
  const warmUp = await onboardOne(clients, "warm-up", signal);
  await clients.emulator.resetCallCounts();
  const runs: Timed[] = [];
  for (let i = 0; i < options.sequential; i++) {
    const timed = await onboardOne(clients, tenantId("s", i), signal);
    log(`sequential ${i + 1}/${options.sequential}: first 200 after ${(timed.firstOk / 1000).toFixed(2)} s`);
    runs.push(timed);
  }
  return { warmUp, runs, calls: await clients.emulator.callCounts() };
}

type Concurrent = {
  tenants: number;
  limit: RateLimit;
  wallMs: number;
  /** POST → 202, for the accepted ones. */
  acceptedMs: number[];
  /** POST → seen active in the tenant list (to within LIST_POLL_MS). */
  activeMs: number[];
  failures: string[];
  failed: number;
  /** Active tenants whose hostname then answered 200 with their script's answer. */
  serving: number;
  calls: CallCounts;
  cpu: CpuShare;
};

/** Lists the tenants until none of `ids` is provisioning; records when each was first seen settled. */
async function watchSettling(
  clients: Clients,
  ids: ReadonlySet<string>,
  t0: number,
  deadline: number,
  signal: AbortSignal,
): Promise<Map<string, { tenant: Tenant; at: number }>> {
  const settled = new Map<string, { tenant: Tenant; at: number }>();
  let reported = 0;
  while (settled.size < ids.size && performance.now() < deadline) {
    signal.throwIfAborted();
    await sleep(LIST_POLL_MS);
    const at = performance.now() - t0;
    for (const tenant of await clients.controlPlane.list()) {
      if (!ids.has(tenant.id) || settled.has(tenant.id)) continue;
      if (tenant.state === "active" || tenant.state === "failed") settled.set(tenant.id, { tenant, at });
    }
    if (settled.size !== reported)
      log(`concurrent: ${settled.size}/${ids.size} settled after ${(at / 1000).toFixed(0)} s`);
    reported = settled.size;
  }
  return settled;
}

async function runConcurrent(
  clients: Clients,
  stack: PlatformStack,
  options: Options,
  signal: AbortSignal,
): Promise<Concurrent> {
  const limit: RateLimit = { enabled: true, requests: options.rateLimit, windowSeconds: options.rateWindowSeconds };
  const ids = Array.from({ length: options.concurrent }, (_, i) => tenantId("c", i));
  await clients.emulator.resetCallCounts();
  await clients.emulator.setRateLimit(limit);
  const cpu = meterCpu(stack.groups.map((g) => g.pid));
  const failures: string[] = [];
  const acceptedMs: number[] = [];
  log(
    `concurrent: ${ids.length} POSTs at once, the API limited to ${limit.requests} calls per ${limit.windowSeconds} s`,
  );
  const t0 = performance.now();
  const posted = await Promise.all(
    ids.map(async (id) => {
      try {
        const refused = await clients.controlPlane.create(id);
        if (refused !== null) failures.push(refused);
        else acceptedMs.push(performance.now() - t0);
        return refused === null ? id : undefined;
      } catch (error) {
        failures.push(`POST /v1/tenants (${id}): ${(error as Error).message}`);
        return undefined;
      }
    }),
  );
  const accepted = new Set(posted.filter((id) => id !== undefined));
  log(`concurrent: ${accepted.size}/${ids.length} accepted after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const settled = await watchSettling(clients, accepted, t0, t0 + options.maxSeconds * 1000, signal);
  const wallMs = performance.now() - t0;
  const cpuShare = cpu();
  const calls = await clients.emulator.callCounts();
  await clients.emulator.setRateLimit({ ...limit, enabled: false });

  const active = [...settled.values()].filter((s) => s.tenant.state === "active");
  for (const { tenant } of settled.values()) {
    if (tenant.state === "failed")
      failures.push(`${tenant.id} failed: ${tenant.lastError?.message ?? "no error recorded"}`);
  }
  const unsettled = [...accepted].filter((id) => !settled.has(id));
  if (unsettled.length > 0) failures.push(`${unsettled.length} still provisioning after ${options.maxSeconds} s`);

  let serving = 0;
  await pool(active.length, VERIFY_CONCURRENCY, async (i) => {
    const id = (active[i] as { tenant: Tenant }).tenant.id;
    try {
      const { status, body } = await getThroughDispatcher(clients.dispatcherUrl, hostnameOf(id));
      if (status === 200 && body === id) serving++;
      else failures.push(`${hostnameOf(id)}: HTTP ${status} ${JSON.stringify(body.slice(0, 200))}`);
    } catch (error) {
      failures.push(`${hostnameOf(id)}: ${(error as Error).message}`);
    }
  });
  return {
    tenants: ids.length,
    limit,
    wallMs,
    acceptedMs,
    activeMs: active.map((s) => s.at),
    failures,
    failed: ids.length - serving,
    serving,
    calls,
    cpu: cpuShare,
  };
}

const sorted = (values: number[]) => values.toSorted((a, b) => a - b);
const seconds = (ms: number) => (Number.isNaN(ms) ? "-" : (ms / 1000).toFixed(2));
const int = (n: number) => Math.round(n).toLocaleString("en-US");
const pct = (share: number) => `${(share * 100).toFixed(0)} %`;
const median = (values: number[]) => percentile(sorted(values), 50);

function spread(label: string, values: number[]): string[] {
  const s = sorted(values);
  return [label, seconds(percentile(s, 50)), seconds(percentile(s, 90)), seconds(s.at(-1) ?? Number.NaN)];
}

/** How long each step ran, as the state polls saw it: from its first sighting to the next step's (or `active`). */
function stepDurations(runs: Timed[]): [string, number][] {
  const byStep = new Map<string, number[]>();
  for (const run of runs) {
    const marks = [{ step: "(POST answered)", at: run.accepted }, ...run.steps, { step: "", at: run.active }];
    for (let i = 0; i < marks.length - 1; i++) {
      const { step, at } = marks[i] as { step: string; at: number };
      const next = (marks[i + 1] as { at: number }).at;
      if (step === "(POST answered)") continue;
      byStep.set(step, [...(byStep.get(step) ?? []), Math.max(0, next - at)]);
    }
  }
  return [...byStep].map(([step, durations]) => [step, median(durations)]);
}

function render(seq: Sequential, con: Concurrent, stack: PlatformStack): string {
  const machine = describeMachine(stack.workerdVersion);
  const n = seq.runs.length;
  const perOnboarding = seq.calls.calls / n;
  const { limit, calls } = con;
  const average = limit.requests / limit.windowSeconds;
  const peak = calls.peakSecond?.calls ?? 0;
  const windowsNeeded = Math.ceil(calls.calls / limit.requests);
  const steps = stepDurations(seq.runs);
  return [
    `Measured ${new Date().toISOString().slice(0, 10)} with \`${commandLine()}\` (sources: ${stack.sources}) on ${machine.cores} × ${machine.cpu}, ${machine.ramGiB.toFixed(0)} GiB RAM, ${machine.os};`,
    `Node ${machine.node}, wrangler ${machine.wrangler}, ${machine.workerd}. Four \`wrangler dev\` processes as \`npm run dev\` runs them; each tenant: a one-module script, KV, R2 and a D1 with one migration.`,
    "",
    `**One at a time** (${n} tenants after one warm-up onboarding; the hostname and the tenant's state polled every ${POLL_MS} ms from the 202 on):`,
    "",
    ...table(
      ["From the POST to", "p50 (s)", "p90 (s)", "max (s)"],
      [
        spread(
          "the 202 (the API has checked the script)",
          seq.runs.map((r) => r.accepted),
        ),
        spread(
          "`active` in the control plane",
          seq.runs.map((r) => r.active),
        ),
        spread(
          "**the first 200 from `<id>.localhost`**",
          seq.runs.map((r) => r.firstOk),
        ),
      ],
    ),
    "",
    `- The warm-up onboarding (the first after start-up): 202 after ${seconds(seq.warmUp.accepted)} s, first 200 after ${seconds(seq.warmUp.firstOk)} s.`,
    `- Between \`active\` and the first 200, p50 ${seconds(median(seq.runs.map((r) => r.firstOk - r.active)))} s: the dispatcher's route cache keeps the 404 of a poll made before the route was written for ROUTE_CACHE_MISS_TTL_MS (1 s).`,
    `- Steps (median, as the state polls saw them): ${steps.map(([step, ms]) => `${step} ${seconds(ms)} s`).join(", ")}.`,
    `- **Cloudflare API calls per onboarding: ${perOnboarding.toFixed(1)}** (${int(seq.calls.calls)} for ${n}, counted by the emulator; ${seq.calls.rateLimited} answered 429).`,
    "",
    `**${int(con.tenants)} at once** (every POST sent together; the emulator's rate limiter on at ${int(limit.requests)} calls per ${limit.windowSeconds} s, the control plane's budget, CLOUDFLARE_API_RATE_LIMIT / CLOUDFLARE_API_RATE_WINDOW_SECONDS, set to the same):`,
    "",
    ...table(
      ["Measure", "Value"],
      [
        ["Wall time until every tenant was active or failed", `${seconds(con.wallMs)} s`],
        ["**Failed** (not active, or not answering 200; target 0)", `**${con.failed}**`],
        ["Answered 429 by the API", String(calls.rateLimited)],
        ["API calls in all (per onboarding)", `${int(calls.calls)} (${(calls.calls / con.tenants).toFixed(1)})`],
        ["Windows that many calls need at the limit", String(windowsNeeded)],
        ["**Peak request rate** (most calls in one 1 s bucket)", `**${peak}/s**`],
        ["Mean request rate over the wall time", `${(calls.calls / (con.wallMs / 1000)).toFixed(1)}/s`],
        [
          "The limit: a whole window's calls may come in one burst; averaged over the window",
          `${int(limit.requests)} per ${limit.windowSeconds} s; ${average.toFixed(1)}/s`,
        ],
      ],
    ),
    "",
    ...table(
      ["From the POST to", "p50 (s)", "p90 (s)", "max (s)"],
      [
        spread("the 202", con.acceptedMs),
        spread(`\`active\` (tenant list polled every ${LIST_POLL_MS} ms)`, con.activeMs),
      ],
    ),
    "",
    `While the concurrent onboardings ran, the bench and its processes used ${pct(con.cpu.ours)} of the machine's CPU (all cores), other processes ${pct(con.cpu.others)}.`,
    ...(con.failures.length === 0
      ? []
      : [
          "",
          `Failures (first ${FAILURE_SAMPLES}):`,
          "",
          ...con.failures.slice(0, FAILURE_SAMPLES).map((f) => `- ${f}`),
        ]),
  ].join("\n");
}

async function main(): Promise<number> {
  const options = parseOptions();
  if (options === undefined) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const abort = new AbortController();
  let stack: PlatformStack | undefined;
  onInterrupt(abort, () => (stack === undefined ? undefined : Promise.allSettled(stack.groups.map((g) => g.kill()))));
  log("starting the emulator, outbound, the control plane and the dispatcher (wrangler dev)");
  const budget = {
    CLOUDFLARE_API_RATE_LIMIT: String(options.rateLimit),
    CLOUDFLARE_API_RATE_WINDOW_SECONDS: String(options.rateWindowSeconds),
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
    const con = await runConcurrent(clients, started, options, abort.signal);
    return { report: render(seq, con, started), failed: con.failed };
  });
  process.stdout.write(`${report}\n`);
  if (options.writeDocs) {
    writeDocsSection(DOC_SECTIONS.onboarding, report);
    log(`figures written to ${DOCS_PATH}`);
  }
  return failed === 0 ? 0 : 1;
}

runMain(COMMAND, USAGE, main);
