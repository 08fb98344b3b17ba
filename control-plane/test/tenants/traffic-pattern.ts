import { expect } from "vitest";
import type { TenantId } from "../../../platform/routes";
import { TenantTraffic } from "../../../platform/tenant-traffic";
import { eventually } from "./eventually";
import { api, ensureNamespace, settled, uniqueId, visit } from "./support";

/**
 * A tenant with a known traffic pattern, for the traffic route's tests and the console's charts:
 * a tenant whose paths answer each status class (and one throws, a dispatcher error), and the
 * requests sent to it through the dispatcher, whose metering the emulator's Analytics Engine keeps.
 */

/** How long `/slow` takes before it answers, at least. */
export const SLOW_MS = 300;

const TRAFFIC_APP = `export default {
  async fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === "/boom") return new Response("boom", { status: 500 });
    if (path === "/missing") return new Response("no such thing", { status: 404 });
    if (path === "/moved") return Response.redirect("http://example.com/", 302);
    if (path === "/throw") throw new Error("thrown on purpose");
    if (path === "/slow") await new Promise((resolve) => setTimeout(resolve, ${SLOW_MS}));
    return new Response("fine");
  },
};`;

/** The paths sent after the tenant first answers, in order. */
const PATTERN = ["/", "/", "/", "/boom", "/missing", "/moved", "/slow", "/throw"] as const;

/** What the pattern adds up to, the first request that found the tenant included. */
export const EXPECTED = {
  requests: PATTERN.length + 1,
  statuses: { "1xx": 0, "2xx": 5, "3xx": 1, "4xx": 1, "5xx": 2 },
  errors: 2,
} as const;

/** A tenant with the traffic app (no resources, so it is quick to make), active. */
export async function trafficTenant(prefix = "traffic"): Promise<TenantId> {
  await ensureNamespace();
  const id = uniqueId(prefix);
  const created = await api("POST", "/v1/tenants", {
    id,
    plan: "free",
    resources: { kv: false, r2: false, d1: false },
    script: { mainModule: "index.js", modules: { "index.js": TRAFFIC_APP } },
  });
  expect(created.status, created.text).toBe(202);
  await settled(id, ["active"]);
  return id as TenantId;
}

/** Sends a request through the dispatcher and reads its answer to the end (the point is written then). */
async function hit(id: string, path: string): Promise<number> {
  const response = await visit(id, path, { redirect: "manual" });
  await response.text();
  return response.status;
}

/**
 * Sends the pattern once the tenant answers (requests that miss the dispatcher's route cache
 * count under no tenant), and waits until the metering has all of it: the tenant's traffic then.
 */
export async function sendKnownTraffic(id: TenantId): Promise<TenantTraffic> {
  await eventually(async () => ((await hit(id, "/")) === 200 ? true : null));
  for (const path of PATTERN) await hit(id, path);
  return eventually(async () => {
    const { status, json } = await api("GET", `/v1/tenants/${id}/traffic?since=1h&step=60`);
    expect(status).toBe(200);
    const traffic = TenantTraffic.parse(json);
    const requests = traffic.buckets.reduce((sum, bucket) => sum + bucket.requests, 0);
    return requests === EXPECTED.requests ? traffic : null;
  });
}
