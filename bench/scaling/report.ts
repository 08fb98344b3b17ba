/** The markdown report of `npm run bench:scaling`: a column per size, and the growth from the first to the last. */
import { describeMachine } from "../shared/machine.ts";
import { int, pct, table } from "../shared/markdown.ts";
import { PAGE_SAMPLES, type Routing, SAMPLES } from "./measure.ts";
import { templateRows } from "./seed.ts";
import type { Course, Step, Stores } from "./steps.ts";
import type { Spread } from "./timing.ts";

export const COMMAND = "npm run bench:scaling";

function commandLine(): string {
  const args = process.argv.slice(2);
  return args.length === 0 ? COMMAND : `${COMMAND} -- ${args.join(" ")}`;
}

const ms = (n: number) => (n >= 100 ? n.toFixed(0) : n.toFixed(1));
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(2);
/** Last ÷ first, as the growth column shows it. */
const ratio = (first: number, last: number) => (first > 0 ? `${(last / first).toFixed(2)}×` : "-");

type Measure = { label: string; of: (step: Step) => number; show: (n: number) => string };

const spreadRows = (label: string, of: (step: Step) => Spread): Measure[] => [
  { label: `${label}, p50 (ms)`, of: (s) => of(s).p50, show: ms },
  { label: `${label}, p90 (ms)`, of: (s) => of(s).p90, show: ms },
];

const routingRows = (label: string, of: (routing: Routing) => Spread): Measure[] =>
  spreadRows(label, (s) => of(s.routing));

const storeRows = (of: (step: Step) => Stores, tableNames: string[]): Measure[] => [
  { label: "Registry D1 size (MiB; page_count × page_size)", of: (s) => of(s).registry.bytes, show: mib },
  {
    label: "Registry D1 bytes per tenant",
    of: (s) => of(s).registry.bytes / s.tenants,
    show: (n) => int(n),
  },
  ...tableNames.map((name) => ({
    label: `Registry rows: \`${name}\``,
    of: (s: Step) => of(s).registry.rows[name] ?? 0,
    show: int,
  })),
  { label: "Routes in the routing table (KV keys; a canary's preview too)", of: (s) => of(s).routes, show: int },
];

function measures(steps: Step[]): Measure[] {
  const tableNames = Object.keys(steps.at(-1)?.stores.registry.rows ?? {}).filter((name) =>
    steps.some((s) => (s.stores.registry.rows[name] ?? 0) > 0),
  );
  return [
    { label: "Tenants seeded (copies of a real onboarding)", of: (s) => s.seeded.tenants, show: int },
    { label: "Tenants onboarded through `POST /v1/tenants`", of: (s) => s.growth.to - s.growth.from, show: int },
    {
      label: "Those onboardings per second (8 at a time)",
      of: (s) => (s.growth.to - s.growth.from) / (s.growth.wallMs / 1000),
      show: (n) => n.toFixed(1),
    },
    ...spreadRows("`GET /v1/tenants/{id}`", (s) => s.reads.lookup),
    ...spreadRows("`GET /v1/tenants?limit=100`, the first page", (s) => s.reads.firstPage),
    ...spreadRows("`GET /v1/tenants?limit=100&cursor=…`, the last page", (s) => s.reads.deepPage),
    { label: "Every page, one after another (s)", of: (s) => s.reads.walk.ms / 1000, show: (n) => n.toFixed(1) },
    ...routingRows("Dispatcher, a hostname with no route (table read, 404)", (r) => r.unknown),
    ...routingRows("Dispatcher, a tenant's hostname not cached (table read + namespace)", (r) => r.cold),
    ...routingRows("Dispatcher, the same hostname again (cache + namespace)", (r) => r.warm),
    { label: "`POST /v1/rollouts` until its 202: the plan (ms)", of: (s) => s.planning.planMs, show: ms },
    { label: "Then its one-tenant canary, deployed (ms)", of: (s) => s.planning.canaryMs, show: ms },
    ...storeRows((s) => s.stores, tableNames),
    { label: "CPU used by other processes over the step (all cores)", of: (s) => s.cpu.others, show: pct },
  ];
}

function curve(steps: Step[]): string[] {
  const first = steps[0] as Step;
  const last = steps.at(-1) as Step;
  const header = [
    "Measure",
    ...steps.map((s) => `${int(s.tenants)} tenants`),
    `${int(last.tenants)} ÷ ${int(first.tenants)}`,
  ];
  return table(
    header,
    measures(steps).map((m) => [m.label, ...steps.map((s) => m.show(m.of(s))), ratio(m.of(first), m.of(last))]),
  );
}

function afterFleet(course: Course): string[] {
  const { fleet, routing, stores } = course.afterFleet;
  const before = (course.steps.at(-1) as Step).stores.registry.bytes;
  const { limit } = course;
  const perTenant = fleet.calls.calls / fleet.tenants;
  const rows: [string, string][] = [
    ["Tenants in the rollout (random, of every tenant; no canary)", int(fleet.tenants)],
    ["`POST /v1/rollouts` until its 202 (ms)", ms(fleet.planMs)],
    ["Wall time, from the POST to the last deploy (s)", (fleet.wallMs / 1000).toFixed(0)],
    ["Tenants deployed per second", (fleet.tenants / (fleet.wallMs / 1000)).toFixed(1)],
    [
      "**Cloudflare API calls per tenant** (counted by the emulator)",
      `**${perTenant.toFixed(2)}** (${int(fleet.calls.calls)})`,
    ],
    ["Answered 429", String(fleet.calls.rateLimited)],
    ["Peak calls in one second", String(fleet.calls.peakSecond?.calls ?? 0)],
    ["The limit (emulator and control plane budget)", `${int(limit.requests)} per ${limit.windowSeconds} s`],
    ["Dispatcher, a tenant's hostname not cached, p50 / p90 (ms)", `${ms(routing.cold.p50)} / ${ms(routing.cold.p90)}`],
    ["Dispatcher, the same hostname again, p50 / p90 (ms)", `${ms(routing.warm.p50)} / ${ms(routing.warm.p90)}`],
    [
      "Registry D1 size after the rollout (MiB); added per tenant deployed (bytes)",
      `${mib(stores.registry.bytes)}; ${int((stores.registry.bytes - before) / fleet.tenants)}`,
    ],
  ];
  return table(["The rollout", "Value"], rows);
}

export function render(course: Course, sources: string, workerd: string): string {
  const machine = describeMachine(workerd);
  const last = course.steps.at(-1) as Step;
  return [
    `Measured ${new Date().toISOString().slice(0, 10)} with \`${commandLine()}\` (sources: ${sources}) on ${machine.cores} × ${machine.cpu}, ${machine.ramGiB.toFixed(0)} GiB RAM, ${machine.os};`,
    `Node ${machine.node}, wrangler ${machine.wrangler}, ${machine.workerd}. The platform as \`npm run dev\` runs it (four \`wrangler dev\` processes, local D1 and KV). Over the whole run the bench and its processes used ${pct(course.cpu.ours)} of the machine's CPU (all cores), other processes ${pct(course.cpu.others)}.`,
    "",
    `Each size is a platform of its own. Its tenants have no resources and no script (an onboarding of 0 API calls that writes what every onboarding writes: the tenant's row, its operation and steps, its route). The first size's were all onboarded through \`POST /v1/tenants\`; each larger size was **seeded** before its Workers started with copies of the registry rows (${templateRows(course.template)}) and the route that the real onboarding of \`${course.template.id}\` wrote, the tenant id replaced and each operation a new id, written with \`wrangler d1 execute --local\` and \`wrangler kv bulk put --local\`; then the rest were onboarded through the API. A seeded tenant's operations object (\`TenantOperations\`) holds nothing until an operation reaches it and writes the tenant's id, which a real onboarding's object keeps from the start (only its alarm reads it). Each size then reads ${SAMPLES} random tenants, ${PAGE_SAMPLES} first and ${PAGE_SAMPLES} last pages and ${SAMPLES} hostnames through the dispatcher (their tenants have no Worker yet: the dispatcher's 404 \`tenant_not_deployed\`, after the namespace's answer), one request at a time after a few unmeasured ones, and starts a rollout of new code to every tenant with a one-tenant canary. Times are the bench's HTTP client's, over loopback.`,
    "",
    ...curve(course.steps),
    "",
    `At ${int(last.tenants)} tenants, new code was rolled out to ${int(course.afterFleet.fleet.tenants)} of them (the first Worker of each), through the emulator's API with its rate limiter on:`,
    "",
    ...afterFleet(course),
  ].join("\n");
}
