import { OpenAPIHono } from "@hono/zod-openapi";
import { z } from "zod";
import { canaryCount } from "../../../../platform/canary-size";
import {
  CreateRolloutRequest,
  ListRolloutsQuery,
  RolloutActionRequest,
  RolloutList,
  RolloutView,
} from "../../../../platform/tenants-api";
import { requireStoredAssets } from "../../assets/manifest-check";
import type { Env } from "../../env";
import { listRollouts } from "../../registry/rollout-list";
import { insertRollout, tenantsForRollout } from "../../registry/rollouts";
import { chooseCanary } from "../../rollouts/canary";
import type { RolloutRequestOutcome } from "../../rollouts/rollout";
import { storeBundle } from "../../scripts/bundles";
import { ApiError } from "../errors";
import { conflictError, jsonBody, jsonContent, notFoundError, tooLargeError, v1Route } from "../openapi-routes";
import { decodeRolloutCursor, encodeRolloutCursor } from "../rollout-cursor";
import { requireRollout, rolloutSummaries, rolloutView } from "../rollout-view";
import type { AppEnv } from "../types";

const RolloutParams = z.object({ id: z.uuid("not a rollout id") });

const createRollout = v1Route({
  method: "post",
  path: "/v1/rollouts",
  summary: "Deploy new code to many tenants, a canary batch first",
  description:
    "Uploads the script to every active or suspended tenant the filter selects (all of them without one), with each tenant's bindings, vars and secrets kept, a few at a time within the Cloudflare API's rate limit. A canary batch goes first (`canary`: a number of tenants, 0 for none, or a percentage of the selection rounded up; 10% by default), chosen by the hash of the rollout and tenant ids; then the rollout pauses until `POST /v1/rollouts/{id}/resume`, or, with `autoResume`, goes on by itself once the observation window after the canary shows the canary tenants' error rate did not rise. Resumes by itself after a crash. If the API refuses the script, the rollout stops and the tenants not yet reached keep their code. A canary larger than the selection is a 400. Without `script.assets` each tenant keeps its own static assets; with them, every file must have been sent to POST /v1/assets first (else 400 `assets_missing`).",
  request: { body: jsonBody(CreateRolloutRequest, "The code, which tenants, and the canary") },
  responses: { 202: jsonContent(RolloutView, "The rollout, running."), ...tooLargeError },
});

const listRolloutsRoute = v1Route({
  method: "get",
  path: "/v1/rollouts",
  summary: "List rollouts",
  description:
    "Newest first, `limit` at a time; pass the answer's `cursor` for the next page (null on the last). Each with its state, phase and counts; `GET /v1/rollouts/{id}` has its canary's tenants and health, its failures and its rollback.",
  request: { query: ListRolloutsQuery },
  responses: { 200: jsonContent(RolloutList, "A page of rollouts.") },
});

const getRolloutRoute = v1Route({
  method: "get",
  path: "/v1/rollouts/{id}",
  summary: "A rollout's progress",
  request: { params: RolloutParams },
  responses: { 200: jsonContent(RolloutView, "The rollout."), ...notFoundError },
});

const resumeRollout = v1Route({
  method: "post",
  path: "/v1/rollouts/{id}/resume",
  summary: "Go on past the canary",
  description:
    "A paused rollout (after its canary, whatever the reason) deploys the rest of its tenants. Any other state is a 409.",
  request: { params: RolloutParams, body: jsonBody(RolloutActionRequest, "`{}`") },
  responses: { 202: jsonContent(RolloutView, "The rollout, running again."), ...notFoundError, ...conflictError },
});

const rollBackRollout = v1Route({
  method: "post",
  path: "/v1/rollouts/{id}/rollback",
  summary: "Return every tenant the rollout upgraded to its previous version",
  description:
    "Stops deploying, and returns each tenant the rollout submitted (its deploy done or under way) to the version it had live when the rollout submitted it; tenants it never reached are left as they are (`rollback.skipped`). Tenants' data (KV, R2, D1, Durable Objects) is not touched. A rollout rolling back or rolled back already is a 409.",
  request: { params: RolloutParams, body: jsonBody(RolloutActionRequest, "`{}`") },
  responses: { 202: jsonContent(RolloutView, "The rollout, rolling back."), ...notFoundError, ...conflictError },
});

/** Asks the rollout's object for a change: a refusal is a 409 with its reason. */
async function ask(
  env: Env,
  id: string,
  change: (rollout: ReturnType<Env["ROLLOUTS"]["get"]>) => Promise<RolloutRequestOutcome>,
): Promise<RolloutView> {
  await requireRollout(env, id);
  const outcome = await change(env.ROLLOUTS.get(env.ROLLOUTS.idFromName(id)));
  if (!outcome.ok) throw new ApiError(409, "conflict", outcome.message);
  return rolloutView(env, id);
}

export const rolloutRoutes = new OpenAPIHono<AppEnv>()
  .openapi(createRollout, async (c) => {
    const { script, filter, canary, autoResume } = c.req.valid("json");
    const tenantIds = await tenantsForRollout(c.env.DB, filter);
    const count = canaryCount(canary, tenantIds.length);
    if (count > tenantIds.length) {
      const message = `${count} canary tenants are more than the ${tenantIds.length} the filter selects`;
      throw new ApiError(400, "invalid_request", `canary.tenants: ${message}`, [{ path: "canary.tenants", message }]);
    }
    if (script.assets) await requireStoredAssets(c.env.DB, script.assets.manifest, "script.assets.manifest");
    const scriptKey = await storeBundle(c.env.SCRIPTS, script);
    const id = crypto.randomUUID();
    const chosen = await chooseCanary(id, tenantIds, count);
    await insertRollout(c.env.DB, { id, scriptKey, filter, tenantIds, canary: chosen, autoResume });
    await c.env.ROLLOUTS.get(c.env.ROLLOUTS.idFromName(id)).start(id);
    return c.json(await rolloutView(c.env, id), 202);
  })
  .openapi(listRolloutsRoute, async (c) => {
    const { cursor, limit } = c.req.valid("query");
    const after = cursor === undefined ? undefined : decodeRolloutCursor(cursor);
    const rows = await listRollouts(c.env.DB, { after, limit });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const next = rows.length > limit && last !== undefined ? encodeRolloutCursor(last) : null;
    return c.json({ rollouts: rolloutSummaries(page), cursor: next }, 200);
  })
  .openapi(getRolloutRoute, async (c) => c.json(await rolloutView(c.env, c.req.valid("param").id), 200))
  .openapi(resumeRollout, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await ask(c.env, id, (rollout) => rollout.resume(id)), 202);
  })
  .openapi(rollBackRollout, async (c) => {
    const { id } = c.req.valid("param");
    return c.json(await ask(c.env, id, (rollout) => rollout.rollback(id)), 202);
  });
