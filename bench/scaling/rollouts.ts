/** A rollout's planning at each size, and at the last one the whole fleet's rollout, with the API calls it made. */
import { setTimeout as sleep } from "node:timers/promises";
import { COMPATIBILITY_DATE } from "../../platform/compatibility-date.ts";
import type { RolloutView, ScriptSource } from "../../platform/tenants-api.ts";
import type { CallCounts } from "../onboarding/client.ts";
import { TENANT_MAIN_MODULE, tenantSource } from "../shared/tenant-script.ts";
import type { Clients } from "./clients.ts";
import type { Expected } from "./measure.ts";
import { timed } from "./timing.ts";

const POLL_MS = 250;
/** A running rollout's progress is logged this often. */
const PROGRESS_MS = 30_000;

/** What every rollout deploys: one module answering ROLLED_OUT, no D1 migrations (the tenants have no database). */
export const ROLLED_OUT = "rolled-out";
const script: ScriptSource = {
  mainModule: TENANT_MAIN_MODULE,
  modules: { [TENANT_MAIN_MODULE]: tenantSource(ROLLED_OUT) },
  compatibilityDate: COMPATIBILITY_DATE,
};
/** A tenant's hostname once the rollout reached it. */
export const ROLLED_OUT_ANSWER: Expected = { status: 200, body: () => ROLLED_OUT };

export type Planning = {
  rolloutId: string;
  /** Tenants the plan holds (every active tenant). */
  planned: number;
  /** POST /v1/rollouts until its 202: the selection read and every item written (the plan). */
  planMs: number;
  /** From the 202 until the one-tenant canary is deployed and the rollout paused. */
  canaryMs: number;
  /** The canary tenant's id: it serves the new code from then on. */
  canary: string;
};

/** Polls the rollout until it leaves `running`; fails after `timeoutMs`. */
async function settled(
  clients: Clients,
  id: string,
  timeoutMs: number,
  signal: AbortSignal,
  log?: (line: string) => void,
): Promise<RolloutView> {
  const t0 = performance.now();
  const deadline = t0 + timeoutMs;
  let logged = t0;
  for (;;) {
    signal.throwIfAborted();
    const rollout = await clients.controlPlane.getRollout(id);
    if (rollout.state !== "running") return rollout;
    if (log !== undefined && performance.now() - logged > PROGRESS_MS) {
      logged = performance.now();
      log(`rollout: ${rollout.succeeded}/${rollout.total} deployed after ${((logged - t0) / 1000).toFixed(0)} s`);
    }
    if (performance.now() > deadline) throw new Error(`rollout ${id}: still running after ${timeoutMs / 1000} s`);
    await sleep(POLL_MS);
  }
}

/** Starts a rollout to every tenant with a canary of one, timing its plan, and waits for the canary's pause. */
export async function planRollout(
  clients: Clients,
  tenants: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Planning> {
  const started = await timed(() => clients.controlPlane.startRollout({ script, canary: { tenants: 1 } }));
  const rollout = started.value;
  if (rollout.total !== tenants)
    throw new Error(`rollout ${rollout.id} planned ${rollout.total} of ${tenants} tenants`);
  const canary = await timed(() => settled(clients, rollout.id, timeoutMs, signal));
  if (canary.value.state !== "paused" || canary.value.canary.succeeded !== 1) {
    throw new Error(
      `rollout ${rollout.id} after its canary: ${canary.value.state} ${JSON.stringify(canary.value.paused)}`,
    );
  }
  const [canaryId] = canary.value.canary.tenants;
  if (canaryId === undefined) throw new Error(`rollout ${rollout.id} names no canary tenant`);
  return { rolloutId: rollout.id, planned: rollout.total, planMs: started.ms, canaryMs: canary.ms, canary: canaryId };
}

export type Fleet = {
  tenants: number;
  /** POST /v1/rollouts until its 202. */
  planMs: number;
  /** From the POST until every tenant's deploy ended. */
  wallMs: number;
  calls: CallCounts;
};

/** Rolls the code out to `ids` at once (no canary), counting the API calls it takes. */
export async function runFleet(
  clients: Clients,
  ids: string[],
  timeoutMs: number,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<Fleet> {
  await clients.emulator.resetCallCounts();
  const t0 = performance.now();
  const started = await timed(() =>
    clients.controlPlane.startRollout({ script, filter: { tenants: ids }, canary: { tenants: 0 } }),
  );
  const rollout = await settled(clients, started.value.id, timeoutMs, signal, log);
  const wallMs = performance.now() - t0;
  const calls = await clients.emulator.callCounts();
  if (rollout.state !== "completed" || rollout.succeeded !== ids.length) {
    throw new Error(`rollout ${rollout.id}: ${rollout.state}, ${rollout.succeeded}/${ids.length} succeeded`);
  }
  return { tenants: ids.length, planMs: started.ms, wallMs, calls };
}
