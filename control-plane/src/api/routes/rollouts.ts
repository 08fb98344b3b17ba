import { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { CreateRolloutRequest, RolloutView } from "../../../../platform/tenants-api";
import type { Env } from "../../env";
import { getRollout, insertRollout, rolloutCounts, rolloutFailures, tenantsForRollout } from "../../registry/rollouts";
import { storeBundle } from "../../scripts/bundles";
import { ApiError } from "../errors";
import { jsonBody, jsonContent, notFoundError, tooLargeError, v1Route } from "../openapi-routes";
import type { AppEnv } from "../types";

const RolloutParams = z.object({ id: z.uuid("not a rollout id") });

async function rolloutView(env: Env, id: string): Promise<RolloutView> {
  const rollout = await getRollout(env.DB, id);
  if (rollout === null) throw new ApiError(404, "not_found", `no rollout "${id}"`);
  const counts = await rolloutCounts(env.DB, id);
  return {
    id,
    state: rollout.state,
    total: rollout.total,
    succeeded: counts.succeeded,
    failed: counts.failed,
    pending: counts.pending + counts.submitted,
    failures: await rolloutFailures(env.DB, id),
    createdAt: rollout.created_at,
    updatedAt: rollout.updated_at,
  };
}

const createRollout = v1Route({
  method: "post",
  path: "/v1/rollouts",
  summary: "Deploy new code to many tenants",
  description:
    "Uploads the script to every active or suspended tenant the filter selects (all of them without one), with each tenant's bindings, vars and secrets kept, a few at a time within the Cloudflare API's rate limit. Resumes by itself after a crash. If the API refuses the script, the rollout stops and the tenants not yet reached keep their code.",
  request: { body: jsonBody(CreateRolloutRequest, "The code, and which tenants") },
  responses: { 202: jsonContent(RolloutView, "The rollout, running."), ...tooLargeError },
});

const getRolloutRoute = v1Route({
  method: "get",
  path: "/v1/rollouts/{id}",
  summary: "A rollout's progress",
  request: { params: RolloutParams },
  responses: { 200: jsonContent(RolloutView, "The rollout."), ...notFoundError },
});

export const rolloutRoutes = new OpenAPIHono<AppEnv>()
  .openapi(createRollout, async (c) => {
    const { script, filter } = c.req.valid("json");
    const scriptKey = await storeBundle(c.env.SCRIPTS, script);
    const tenantIds = await tenantsForRollout(c.env.DB, filter);
    const id = crypto.randomUUID();
    await insertRollout(c.env.DB, { id, scriptKey, filter, tenantIds });
    await c.env.ROLLOUTS.get(c.env.ROLLOUTS.idFromName(id)).start(id);
    return c.json(await rolloutView(c.env, id), 202);
  })
  .openapi(getRolloutRoute, async (c) => c.json(await rolloutView(c.env, c.req.valid("param").id), 200));
