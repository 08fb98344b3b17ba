import { expect } from "vitest";
import type { TenantId } from "../../../platform/routes";
import { eventually } from "./eventually";
import { api, settled, uniqueId, visit } from "./support";

/** A tenant whose /boom answers 500 and everything else 200; no resources, so it is quick to make. */
export async function tenantWithCode(prefix: string): Promise<TenantId> {
  const id = uniqueId(prefix);
  const created = await api("POST", "/v1/tenants", {
    id,
    plan: "free",
    resources: { kv: false, r2: false, d1: false },
    script: {
      mainModule: "index.js",
      modules: {
        "index.js": `export default { fetch(request) {
          return new URL(request.url).pathname === "/boom" ? new Response("boom", { status: 500 }) : new Response("fine");
        } };`,
      },
    },
  });
  expect(created.status, created.text).toBe(202);
  await settled(id, ["active"]);
  return id as TenantId;
}

/** Sends a request through the dispatcher and reads its answer to the end (the point is written then). */
export async function hit(id: string, path = "/"): Promise<number> {
  const response = await visit(id, path);
  await response.text();
  return response.status;
}

/**
 * Waits until the dispatcher routes to a tenant onboarded a moment ago (its route cache may still
 * miss it; a request that misses counts under no tenant). The request that finds it is counted.
 */
export async function whenRouted(id: string): Promise<void> {
  await eventually(async () => ((await hit(id)) === 200 ? true : null));
}
