import type { AccountId } from "../../../../cloudflare-api/names";
import type { Deployment, DeploymentInput, DeploymentList } from "../../../../cloudflare-api/versions";
import { changedSecrets, checkDeployment } from "../deployment-rules";
import {
  deploymentNotFound,
  failure,
  latestVersionNotDeployed,
  secretsChanged,
  success,
  validationFailed,
  type WorkersError,
  type WorkersResult,
} from "../errors";
import { objectClassesOf, type ScriptRecord } from "../script-record";
import { deploymentAnswer } from "../version-answers";
import type { StoreContext } from "./context";
import { activeDeployment, addDeployment, deleteDeploymentRow, deploymentsOf, findDeployment } from "./deployment-rows";
import { findScript } from "./rows";
import { checkReferences } from "./version-draft";
import { versionsOf } from "./version-rows";

/** A script's deployments: made (each replacing the active one), listed, read, deleted. */

/**
 * Runs in the change queue: the versions it checks cannot change before it is stored. A version
 * bound to a KV namespace, R2 bucket or D1 database the account no longer has is refused, as the
 * rollbacks docs say production refuses it (workers/configuration/versions-and-deployments/rollbacks).
 */
export async function createDeployment(
  ctx: StoreContext,
  accountId: string,
  scope: { namespace: string; script: string },
  input: DeploymentInput,
  force: boolean,
): Promise<WorkersResult<Deployment>> {
  const { namespace, script } = scope;
  const found = findScript(ctx, namespace, script);
  if (!found.ok) return found;
  const versions = versionsOf(ctx, namespace, script);
  const checked = checkDeployment(input, versions);
  if (!checked.ok) return checked;
  const deployed = versions.filter((v) => checked.value.some((d) => d.version_id === v.id));
  for (const version of deployed) {
    const missing = await checkReferences(
      ctx,
      accountId,
      version.record.version.bindings,
      version.record.version.assets !== undefined,
    );
    if (missing !== undefined) return failure(missing);
  }
  const latest = versions[0];
  if (!force && latest !== undefined) {
    const changed = changedSecrets(deployed, latest);
    if (changed.length > 0) return failure(secretsChanged(changed));
  }
  const message = input.annotations?.["workers/message"];
  let deployment: ReturnType<typeof addDeployment> | undefined;
  ctx.transaction(() => {
    deployment = addDeployment(
      ctx,
      { namespace, script },
      checked.value,
      message === undefined ? {} : { "workers/message": message },
    );
  });
  if (deployment === undefined) throw new Error("a deployment was not stored");
  await tellObjects(ctx, accountId, found.value);
  return success(deploymentAnswer(deployment));
}

/** A script with Durable Object classes has its objects' host told of its new deployment. */
export async function tellObjects(ctx: StoreContext, accountId: string, record: ScriptRecord): Promise<void> {
  if (Object.keys(objectClassesOf(record)).length === 0) return;
  await ctx.objectsRedeployed({ accountId: accountId as AccountId, namespace: record.namespace, script: record.name });
}

export function listDeployments(ctx: StoreContext, namespace: string, script: string): WorkersResult<DeploymentList> {
  const found = findScript(ctx, namespace, script);
  if (!found.ok) return found;
  return success({ deployments: deploymentsOf(ctx, namespace, script).map(deploymentAnswer) });
}

export function getDeployment(
  ctx: StoreContext,
  namespace: string,
  script: string,
  id: string,
): WorkersResult<Deployment> {
  const found = findScript(ctx, namespace, script);
  if (!found.ok) return found;
  const deployment = findDeployment(ctx, namespace, script, id);
  return deployment === undefined ? failure(deploymentNotFound(id)) : success(deploymentAnswer(deployment));
}

/** Any deployment but the active one (production: "The latest deployment … cannot be deleted"). */
export function deleteDeployment(
  ctx: StoreContext,
  namespace: string,
  script: string,
  id: string,
): WorkersResult<null> {
  const found = findScript(ctx, namespace, script);
  if (!found.ok) return found;
  const deployment = findDeployment(ctx, namespace, script, id);
  if (deployment === undefined) return failure(deploymentNotFound(id));
  if (activeDeployment(ctx, namespace, script)?.id === deployment.id) {
    return failure(
      validationFailed(`Deployment '${deployment.id}' is the active deployment, which cannot be deleted.`),
    );
  }
  ctx.transaction(() => deleteDeploymentRow(ctx, namespace, script, deployment.id));
  return success(null);
}

/**
 * A secret or settings change deploys a version made from the latest; refused
 * (as production refuses it) unless the latest version alone serves the traffic.
 */
export function latestDeployedRefusal(
  ctx: StoreContext,
  namespace: string,
  script: string,
  change: "secret" | "settings",
): WorkersError | undefined {
  const latest = versionsOf(ctx, namespace, script)[0];
  const active = activeDeployment(ctx, namespace, script);
  const [only, ...others] = active?.versions ?? [];
  if (latest === undefined || (only?.version_id === latest.id && others.length === 0)) return undefined;
  return latestVersionNotDeployed(change);
}
