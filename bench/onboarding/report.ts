/** The markdown report of `npm run bench:onboarding`, from what its phases measured. */
import { percentile } from "../shared/load.ts";
import { describeMachine } from "../shared/machine.ts";
import { int, pct, table } from "../shared/markdown.ts";
import { type Concurrent, LIST_POLL_MS, POLL_MS, type Rollout, type Sequential, type Timed } from "./phases.ts";
import type { PlatformStack } from "./stack.ts";

export const COMMAND = "npm run bench:onboarding";
/** How many failures the report quotes. */
const FAILURE_SAMPLES = 5;
/** Issue 16's fairness targets for the many-at-once run: p50 to `active` within this share of the wall time, */
const ACTIVE_P50_SHARE_TARGET = 0.55;
/** and the 202 within this long at p50 (ms). */
const ACCEPTED_P50_TARGET_MS = 2000;

/** The command line as run, for the report. */
function commandLine(): string {
  const args = process.argv.slice(2);
  return args.length === 0 ? COMMAND : `${COMMAND} -- ${args.join(" ")}`;
}

const sorted = (values: number[]) => values.toSorted((a, b) => a - b);
const seconds = (ms: number) => (Number.isNaN(ms) ? "-" : (ms / 1000).toFixed(2));
const median = (values: number[]) => percentile(sorted(values), 50);

/**
 * Whether a burst is served fairly (the oldest first, each request's check
 * ahead of the queue): p50 to `active` as a share of the wall time, the 202's
 * p50, each against its target, and how many were active by each quarter of
 * the wall time (all near the end: the onboardings advanced step by step
 * together).
 */
function fairness(con: Concurrent): string[] {
  const activeShare = median(con.activeMs) / con.wallMs;
  const acceptedP50 = median(con.acceptedMs);
  const byQuarter = [0.25, 0.5, 0.75].map((quarter) => con.activeMs.filter((ms) => ms <= quarter * con.wallMs).length);
  const verdict = (met: boolean) => (met ? "met" : "**not met**");
  return [
    `- **p50 to \`active\` is ${pct(activeShare)} of the wall time** (target at most ${pct(ACTIVE_P50_SHARE_TARGET)}: ${verdict(activeShare <= ACTIVE_P50_SHARE_TARGET)}); **the 202 at p50 after ${seconds(acceptedP50)} s** (target within ${seconds(ACCEPTED_P50_TARGET_MS)} s: ${verdict(acceptedP50 <= ACCEPTED_P50_TARGET_MS)}).`,
    `- Active by a quarter, half and three quarters of the wall time: ${byQuarter.map(int).join(", ")} of ${int(con.tenants)}.`,
  ];
}

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

/** What each many-at-once run is called in the report. */
const CODE_TITLES: Readonly<Record<Concurrent["code"], string>> = {
  own: "each tenant with its own code",
  shared:
    "every tenant with the same code, a template already in use (the API accepted it before the burst, so no POST spends a call on checking it)",
};

export function render(seq: Sequential, rollout: Rollout | null, cons: Concurrent[], stack: PlatformStack): string {
  const machine = describeMachine(stack.workerdVersion);
  const n = seq.runs.length;
  const perOnboarding = seq.calls.calls / n;
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
    ...(rollout === null
      ? []
      : [
          `- **Cloudflare API calls per tenant in a rollout: ${(rollout.calls.calls / rollout.tenants).toFixed(1)}** (${int(rollout.calls.calls)} for ${rollout.tenants}: new code with the same D1 migrations, no canary; ${rollout.succeeded} succeeded in ${seconds(rollout.wallMs)} s; ${rollout.calls.rateLimited} answered 429).`,
        ]),
    ...cons.flatMap(concurrentSection),
  ].join("\n");
}

/** One many-at-once run: its table, the 202's and `active`'s spread, and the fairness targets. */
function concurrentSection(con: Concurrent): string[] {
  const { limit, calls } = con;
  const average = limit.requests / limit.windowSeconds;
  const peak = calls.peakSecond?.calls ?? 0;
  const windowsNeeded = Math.ceil(calls.calls / limit.requests);
  return [
    "",
    `**${int(con.tenants)} at once, ${CODE_TITLES[con.code]}** (every POST sent together; the emulator's rate limiter on at ${int(limit.requests)} calls per ${limit.windowSeconds} s, the control plane's budget, CLOUDFLARE_API_RATE_LIMIT / CLOUDFLARE_API_RATE_WINDOW_SECONDS, set to the same):`,
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
    ...fairness(con),
    "",
    `While the concurrent onboardings ran, the bench and its processes used ${pct(con.cpu.ours)} of the machine's CPU (all cores), other processes ${pct(con.cpu.others)}.`,
    `The workerd that runs the control plane's Workers (one thread for its API, the tenants' objects and the budget) used ${(con.controlPlaneCpuMs.answering / con.tenants).toFixed(1)} ms of CPU per POST until the last 202, and ${(con.controlPlaneCpuMs.settling / con.tenants).toFixed(1)} ms per tenant from then until every one settled (the tenant list's polls included).`,
    `The workerd that runs the emulator (one thread for the API, its stores and every startup check's isolate) used ${(con.emulatorCpuMs.answering / con.tenants).toFixed(1)} ms per POST until the last 202, and ${(con.emulatorCpuMs.settling / con.tenants).toFixed(1)} ms per tenant from then until every one settled.`,
    ...(con.failures.length === 0
      ? []
      : [
          "",
          `Failures (first ${FAILURE_SAMPLES}):`,
          "",
          ...con.failures.slice(0, FAILURE_SAMPLES).map((f) => `- ${f}`),
        ]),
  ];
}
