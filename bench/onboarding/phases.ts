/** The two phases of `npm run bench:onboarding` (one tenant at a time, then many at once) and what they measure. */
import { setTimeout as sleep } from "node:timers/promises";
import { type CpuShare, meterCpu, meterProcesses } from "../shared/cpu.ts";
import { pool } from "../shared/load.ts";
import { runtimeOf } from "../shared/runtime.ts";
import {
  benchScript,
  type CallCounts,
  type ControlPlane,
  type EmulatorAdmin,
  getThroughDispatcher,
  type RateLimit,
  type Tenant,
  type TenantCode,
  tenantRequest,
} from "./client.ts";
import type { PlatformStack } from "./stack.ts";

/** How often a sequential onboarding polls the tenant's hostname and its state. */
export const POLL_MS = 25;
/** How often the concurrent run lists the tenants (a few GETs of 100 each). */
export const LIST_POLL_MS = 500;
const ONBOARDING_TIMEOUT_MS = 180_000;
const VERIFY_CONCURRENCY = 8;
const PLATFORM_DOMAIN = "localhost";

export type Options = {
  sequential: number;
  concurrent: number;
  rateLimit: number;
  /** Seconds. */
  rateWindow: number;
  maxSeconds: number;
  writeDocs: boolean;
};

export const log = (line: string) => process.stderr.write(`bench:onboarding: ${line}\n`);
const tenantId = (prefix: string, i: number) => `${prefix}${String(i).padStart(4, "0")}`;
const hostnameOf = (id: string) => `${id}.${PLATFORM_DOMAIN}`;

export type Clients = { controlPlane: ControlPlane; emulator: EmulatorAdmin; dispatcherUrl: string };

/** One onboarding, timed from the moment its POST is sent (ms). */
export type Timed = {
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
async function onboardOne(clients: Clients, id: string, signal: AbortSignal, code: TenantCode = "own"): Promise<Timed> {
  const t0 = performance.now();
  const since = () => performance.now() - t0;
  const refused = await clients.controlPlane.create(id, tenantRequest(id, code));
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

export type Sequential = { warmUp: Timed; runs: Timed[]; calls: CallCounts };

export async function runSequential(clients: Clients, options: Options, signal: AbortSignal): Promise<Sequential> {
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

/** A rollout of new code (the same migrations) to the tenants onboarded one at a time. */
export type Rollout = { tenants: number; succeeded: number; wallMs: number; calls: CallCounts };

/** What the rolled-out script answers: every tenant's hostname then says it. */
const ROLLED_OUT = "rolled-out";
const ROLLOUT_POLL_MS = 250;

/**
 * Rolls one new script out to `ids` (no canary: all at once, ten at a time), counting the API calls
 * it takes, then checks each hostname answers the new code.
 */
export async function runRollout(clients: Clients, ids: string[], signal: AbortSignal): Promise<Rollout> {
  await clients.emulator.resetCallCounts();
  log(`rollout: new code to the ${ids.length} tenants onboarded one at a time`);
  const t0 = performance.now();
  const started = await clients.controlPlane.startRollout({
    script: benchScript(ROLLED_OUT),
    filter: { tenants: ids },
    canary: { tenants: 0 },
  });
  const deadline = t0 + ONBOARDING_TIMEOUT_MS;
  let rollout = started;
  while (rollout.state === "running") {
    signal.throwIfAborted();
    if (performance.now() > deadline)
      throw new Error(`rollout ${rollout.id}: still running after ${ONBOARDING_TIMEOUT_MS / 1000} s`);
    await sleep(ROLLOUT_POLL_MS);
    rollout = await clients.controlPlane.getRollout(started.id);
  }
  const wallMs = performance.now() - t0;
  const calls = await clients.emulator.callCounts();
  if (rollout.state !== "completed" || rollout.succeeded !== ids.length) {
    throw new Error(`rollout ${rollout.id}: ${rollout.state}, ${rollout.succeeded}/${ids.length} succeeded`);
  }
  for (const id of ids) {
    const { status, body } = await getThroughDispatcher(clients.dispatcherUrl, hostnameOf(id));
    if (status !== 200 || body !== ROLLED_OUT)
      throw new Error(`${hostnameOf(id)} after the rollout: HTTP ${status} ${body.slice(0, 200)}`);
  }
  return { tenants: ids.length, succeeded: rollout.succeeded, wallMs, calls };
}

export type Concurrent = {
  code: TenantCode;
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
  /**
   * CPU time (ms) of the workerd that runs the control plane's Workers (its API, the tenants'
   * objects, the budget; not wrangler's proxy): from the first POST to the last 202, and from then
   * until every tenant settled (which includes the tenant list's polls).
   */
  controlPlaneCpuMs: CpuSpans;
  /** The same for the workerd that runs the emulator (the API the checks and steps call, its stores and isolates). */
  emulatorCpuMs: CpuSpans;
};

/** CPU time (ms) from the first POST to the last 202, and from then until every tenant settled. */
type CpuSpans = { answering: number; settling: number };

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

/**
 * `options.concurrent` onboardings POSTed at once, each tenant with its own
 * code or all with one bundle (`code`). A `shared` run is of a template
 * already in use: one tenant is onboarded with it first, unmeasured, so the
 * API has accepted it before the burst (scripts/accepted-code.ts in the
 * control plane). Either run first lets the control plane's budget forget
 * the calls before it (one window and its margin), so it starts afresh.
 */
export async function runConcurrent(
  clients: Clients,
  stack: PlatformStack,
  options: Options,
  signal: AbortSignal,
  code: TenantCode,
): Promise<Concurrent> {
  const limit: RateLimit = { enabled: true, requests: options.rateLimit, windowSeconds: options.rateWindow };
  const prefix = code === "own" ? "c" : "t";
  const ids = Array.from({ length: options.concurrent }, (_, i) => tenantId(prefix, i));
  if (code === "shared") await onboardOne(clients, `${prefix}-template`, signal, code);
  await sleep((options.rateWindow + 1) * 1000, undefined, { signal });
  await clients.emulator.resetCallCounts();
  await clients.emulator.setRateLimit(limit);
  const cpu = meterCpu(stack.groups.map((g) => g.pid));
  const runtimeCpu = meterProcesses([
    runtimeOf(stack.group("control-plane").pid, "the control plane"),
    runtimeOf(stack.group("emulator").pid, "the emulator"),
  ]);
  const failures: string[] = [];
  const acceptedMs: number[] = [];
  log(
    `concurrent (${code} code): ${ids.length} POSTs at once, the API limited to ${limit.requests} calls per ${limit.windowSeconds} s`,
  );
  const t0 = performance.now();
  const posted = await Promise.all(
    ids.map(async (id) => {
      try {
        const refused = await clients.controlPlane.create(id, tenantRequest(id, code));
        if (refused !== null) failures.push(refused);
        else acceptedMs.push(performance.now() - t0);
        return refused === null ? id : undefined;
      } catch (error) {
        failures.push(`POST /v1/tenants (${id}): ${(error as Error).message}`);
        return undefined;
      }
    }),
  );
  const [answering = 0, emulatorAnswering = 0] = runtimeCpu();
  const accepted = new Set(posted.filter((id) => id !== undefined));
  log(`concurrent: ${accepted.size}/${ids.length} accepted after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const settled = await watchSettling(clients, accepted, t0, t0 + options.maxSeconds * 1000, signal);
  const wallMs = performance.now() - t0;
  const cpuShare = cpu();
  const [untilSettled = 0, emulatorUntilSettled = 0] = runtimeCpu();
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
    code,
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
    controlPlaneCpuMs: { answering, settling: untilSettled - answering },
    emulatorCpuMs: { answering: emulatorAnswering, settling: emulatorUntilSettled - emulatorAnswering },
  };
}
