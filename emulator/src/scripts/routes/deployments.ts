import { Hono } from "hono";
import { ErrorCode } from "../../../../cloudflare-api/error-codes";
import { DeploymentInput } from "../../../../cloudflare-api/versions";
import { parseJsonBody } from "../../http/body";
import type { ApiEnv } from "../../http/types";
import { storeRoute } from "./store-answers";

/**
 * A script's deployments: which of its versions serve its traffic, and how much
 * each. A new one replaces the active one; `?force=true` deploys a version whose
 * secrets differ from the latest version's.
 */
export const deployments = new Hono<ApiEnv>();

deployments.post(
  "/:script/deployments",
  storeRoute(async (store, { namespace, script }, c) => {
    const input = await parseJsonBody(c, DeploymentInput, ErrorCode.scriptValidationFailed);
    return store.createDeployment(c.get("accountId"), namespace, script, input, c.req.query("force") === "true");
  }),
);

deployments.get(
  "/:script/deployments",
  storeRoute((store, { namespace, script }) => store.listDeployments(namespace, script)),
);

deployments.get(
  "/:script/deployments/:deployment",
  storeRoute((store, { namespace, script }, c) =>
    store.getDeployment(namespace, script, c.req.param("deployment") ?? ""),
  ),
);

deployments.delete(
  "/:script/deployments/:deployment",
  storeRoute((store, { namespace, script }, c) =>
    store.deleteDeployment(namespace, script, c.req.param("deployment") ?? ""),
  ),
);
