/**
 * The bench's course: for each size a platform of its own, seeded with copies
 * of a real onboarding and topped up by real ones, then measured; at the last
 * size, a rollout to many tenants.
 */

import { ControlPlane, EmulatorAdmin, type RateLimit } from "../onboarding/client.ts";
import type { PlatformStack, PlatformStackOptions } from "../onboarding/stack.ts";
import { type CpuShare, meterCpu } from "../shared/cpu.ts";
import { withProcesses } from "../shared/lifecycle.ts";
import { seededRandom } from "../shared/load.ts";
import type { Clients } from "./clients.ts";
import { type Growth, grow, tenantId } from "./grow.ts";
import { type RegistrySize, registrySize, routeCount } from "./local-stores.ts";
import { measureReads, measureRouting, NOT_DEPLOYED, type Reads, type Routing, SAMPLES } from "./measure.ts";
import { type Fleet, type Planning, planRollout, ROLLED_OUT_ANSWER, runFleet } from "./rollouts.ts";
import { captureTemplate, seedCopies, type Template } from "./seed.ts";
import { drawDistinct, timed } from "./timing.ts";

export type Options = {
  /** The sizes measured, ascending. */
  steps: number[];
  /** Tenants onboarded through the API at each size (the rest are seeded copies); all of the first size. */
  real: number;
  /** Tenants the last size's rollout deploys to. */
  fleet: number;
  /** Onboardings in flight at once. */
  concurrency: number;
  rateLimit: number;
  /** Seconds. */
  rateWindow: number;
  /** How long a rollout may run. */
  maxSeconds: number;
  /** The commit every size's Workers run. */
  commit: string;
  writeDocs: boolean;
};

export const log = (line: string) => process.stderr.write(`bench:scaling: ${line}\n`);

/** Starts a platform with the seeding given, as the bench runs it (its rate limits set). */
export type StartStack = (prepareState?: PlatformStackOptions["prepareState"]) => Promise<PlatformStack>;

export type Stores = { registry: RegistrySize; routes: number };

export type Step = {
  tenants: number;
  /** Seeded copies, and how long writing them took (wrangler's local commands). */
  seeded: { tenants: number; ms: number };
  /** The real onboardings topping the platform up to its size. */
  growth: Growth;
  reads: Reads;
  routing: Routing;
  planning: Planning;
  stores: Stores;
  /** Over the step's measurements, its onboardings (and at the last size, its rollout) included. */
  cpu: CpuShare;
};

export type AfterFleet = { fleet: Fleet; routing: Routing; stores: Stores };

export type Course = {
  steps: Step[];
  template: Template;
  afterFleet: AfterFleet;
  limit: RateLimit;
  /** Over every step. */
  cpu: { ours: number; others: number };
};

const WARM_UP_REQUESTS = 5;

function storesOf(stack: PlatformStack): Stores {
  return {
    registry: registrySize(stack.stateDir("control-plane")),
    routes: routeCount(stack.stateDir("dispatcher")),
  };
}

/** A few requests of each kind first, unmeasured: a platform just started compiles and warms its paths. */
async function warmUp(clients: Clients): Promise<void> {
  const ids = Array.from({ length: WARM_UP_REQUESTS }, (_, i) => tenantId(i));
  for (const id of ids) {
    await clients.controlPlane.get(id);
    await clients.controlPlane.page(null);
  }
  await measureRouting(clients, ids, NOT_DEPLOYED, "warm-up");
}

type Measured = { step: Step; template: Template; afterFleet?: AfterFleet };

async function measureStep(
  stack: PlatformStack,
  tenants: number,
  seeded: Step["seeded"],
  options: Options & { last: boolean; template: Template | undefined },
  signal: AbortSignal,
): Promise<Measured> {
  const clients: Clients = {
    controlPlane: new ControlPlane(stack.urls["control-plane"]),
    emulator: new EmulatorAdmin(stack.urls.emulator),
    stack,
  };
  const random = seededRandom(tenants);
  const timeoutMs = options.maxSeconds * 1000;
  const meter = meterCpu(stack.groups.map((g) => g.pid));
  log(`${tenants} tenants: onboarding ${tenants - seeded.tenants} through the API`);
  const growth = await grow(clients, { from: seeded.tenants, to: tenants }, options.concurrency, signal, log);
  const template = options.template ?? captureTemplate(stack.stateDir, tenantId(0));
  log(`${tenants} tenants: reads, routing, a rollout's plan`);
  // The routing samples' tenants are drawn before the warm-up's and the canary's: their routes are never cached.
  const taken = new Set(Array.from({ length: WARM_UP_REQUESTS }, (_, i) => i));
  const sampled = drawDistinct(tenants, SAMPLES, random, taken).map(tenantId);
  await warmUp(clients);
  const reads = await measureReads(clients, tenants, random);
  const routing = await measureRouting(clients, sampled, NOT_DEPLOYED, String(tenants));
  const planning = await planRollout(clients, tenants, timeoutMs, signal);
  const stores = storesOf(stack);
  const step = (cpu: CpuShare): Step => ({ tenants, seeded, growth, reads, routing, planning, stores, cpu });
  if (!options.last) return { step: step(meter()), template };
  const fleetIds = drawDistinct(tenants, Math.min(options.fleet, tenants - taken.size), random, taken)
    .toSorted((a, b) => a - b)
    .map(tenantId);
  log(`rollout of new code to ${fleetIds.length} of the ${tenants} tenants`);
  const fleet = await runFleet(clients, fleetIds, timeoutMs, signal, log);
  const deployed = drawDistinct(fleetIds.length, Math.min(SAMPLES, fleetIds.length), random, new Set()).map(
    (i) => fleetIds[i] as string,
  );
  const after = await measureRouting(clients, deployed, ROLLED_OUT_ANSWER, "fleet");
  return { step: step(meter()), template, afterFleet: { fleet, routing: after, stores: storesOf(stack) } };
}

export async function runCourse(start: StartStack, options: Options, signal: AbortSignal): Promise<Course> {
  const limit: RateLimit = { enabled: true, requests: options.rateLimit, windowSeconds: options.rateWindow };
  const steps: Step[] = [];
  let template: Template | undefined;
  let afterFleet: AfterFleet | undefined;
  const cpu = { ours: 0, others: 0, ms: 0 };
  for (const [i, tenants] of options.steps.entries()) {
    const copies = template === undefined ? 0 : tenants - Math.min(options.real, tenants);
    const from = template;
    const ids = Array.from({ length: copies }, (_, n) => tenantId(n));
    log(`${tenants} tenants: a new platform${copies === 0 ? "" : `, seeded with ${copies} copies of ${from?.id}`}`);
    let seedMs = 0;
    const stack = await start(
      from === undefined
        ? undefined
        : async (stateDir) => {
            seedMs = (await timed(() => seedCopies(stateDir, from, ids))).ms;
          },
    );
    const stepStarted = performance.now();
    const measured = await withProcesses(stack, signal, log, async () => {
      await new EmulatorAdmin(stack.urls.emulator).setRateLimit(limit);
      return measureStep(
        stack,
        tenants,
        { tenants: copies, ms: seedMs },
        { ...options, last: i === options.steps.length - 1, template },
        signal,
      );
    });
    const stepMs = performance.now() - stepStarted;
    cpu.ours += measured.step.cpu.ours * stepMs;
    cpu.others += measured.step.cpu.others * stepMs;
    cpu.ms += stepMs;
    steps.push(measured.step);
    template = measured.template;
    afterFleet = measured.afterFleet ?? afterFleet;
  }
  if (template === undefined || afterFleet === undefined) throw new Error("no step was measured");
  return { steps, template, afterFleet, limit, cpu: { ours: cpu.ours / cpu.ms, others: cpu.others / cpu.ms } };
}
