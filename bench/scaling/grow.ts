/** Growing the platform to a number of tenants through the real onboarding path, and checking it got there. */
import { setTimeout as sleep } from "node:timers/promises";
import type { z } from "zod";
import type { CreateTenantRequest } from "../../platform/tenants-api.ts";
import { pool } from "../shared/load.ts";
import type { Clients } from "./clients.ts";

/** How often the settling tenants are counted. */
const SETTLE_POLL_MS = 500;
const SETTLE_TIMEOUT_MS = 600_000;

/** The i-th tenant's id: in id order as created, so the list's last page holds the newest. */
export const tenantId = (i: number) => `t${String(i).padStart(6, "0")}`;

/** The index a tenant id of tenantId's has. */
export function indexOf(id: string): number {
  const match = /^t(\d{6})$/.exec(id);
  if (match === null) throw new Error(`${id} is not a tenant of the bench`);
  return Number(match[1]);
}

/**
 * A tenant with no resources and no script: its onboarding makes no
 * Cloudflare API call, yet writes what every onboarding writes in the
 * registry (the tenant, its operation and steps) and the routing table (its
 * hostname's route). Its Worker comes with the rollouts.
 */
export const bareTenant = (id: string): z.input<typeof CreateTenantRequest> => ({
  id,
  plan: "free",
  resources: { kv: false, r2: false, d1: false },
});

export type Growth = { from: number; to: number; wallMs: number };

/** Whether any tenant is in `state` (one tenant of one page asked for). */
async function anyIn(clients: Clients, state: "provisioning" | "failed"): Promise<boolean> {
  return (await clients.controlPlane.page(null, { state, limit: 1 })).tenants.length > 0;
}

/**
 * Onboards tenants `from` … `to - 1` through POST /v1/tenants, `concurrency`
 * at a time, and waits until none is provisioning; any failed one (or a POST
 * refused) stops the bench.
 */
export async function grow(
  clients: Clients,
  range: { from: number; to: number },
  concurrency: number,
  signal: AbortSignal,
  log: (line: string) => void,
): Promise<Growth> {
  const t0 = performance.now();
  const count = range.to - range.from;
  let done = 0;
  await pool(count, concurrency, async (i) => {
    signal.throwIfAborted();
    const id = tenantId(range.from + i);
    const refused = await clients.controlPlane.create(id, bareTenant(id));
    if (refused !== null) throw new Error(refused);
    done += 1;
    if (done % 1000 === 0) log(`onboarded ${range.from + done} (${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  });
  const deadline = performance.now() + SETTLE_TIMEOUT_MS;
  while (await anyIn(clients, "provisioning")) {
    signal.throwIfAborted();
    if (performance.now() > deadline) throw new Error(`tenants still provisioning after ${SETTLE_TIMEOUT_MS / 1000} s`);
    await sleep(SETTLE_POLL_MS);
  }
  if (await anyIn(clients, "failed")) throw new Error("a tenant's onboarding failed: GET /v1/tenants?state=failed");
  return { ...range, wallMs: performance.now() - t0 };
}
