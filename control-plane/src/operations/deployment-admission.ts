import type { DeploymentVersion } from "../../../platform/tenants-api";
import type { OperationError, TenantRow } from "../registry/rows";
import { leadingVersion, type VersionRow } from "../registry/versions";
import { type Refusal, rejected } from "./admission";

/**
 * Whether a request about a tenant's versions is taken, decided from what the
 * registry holds (as `admission.ts` does for the other requests).
 */

const conflict = (message: string): Refusal => ({ ok: false, status: 409, code: "conflict", message });

const describe = (deployment: readonly DeploymentVersion[]) =>
  deployment.map((version) => `${version.id.slice(0, 8)} at ${version.percentage}%`).join(", ");

/** What to do instead, said the same way in every refusal. */
const FINISH_FIRST = (id: string) =>
  `deploy one version at 100% (POST /v1/tenants/${id}/deployments) or roll back (POST /v1/tenants/${id}/rollback) first`;

/** Every version a deployment names must be one of the tenant's: a 400 naming each that is not. */
export function refuseUnknownVersions(
  id: string,
  versions: readonly { id: string }[],
  known: ReadonlySet<string>,
  field: (index: number) => string,
): Refusal | null {
  const details = versions.flatMap((version, index) =>
    known.has(version.id) ? [] : [{ path: field(index), message: `tenant "${id}" has no version ${version.id}` }],
  );
  const [first] = details;
  if (first === undefined) return null;
  return { ok: false, status: 400, code: "invalid_request", message: `${first.path}: ${first.message}`, details };
}

/**
 * The version a rollback deploys when none is named (`history` is newest
 * first): the one that had all the traffic before. While two versions share
 * the traffic (a gradual deployment), that is the one that had it all before
 * the split began, whether or not it still leads: rolling back a canary sends
 * everyone back to the stable version. Otherwise it is the one that had it all
 * before the one leading now. A split deployment in the history is passed
 * over: it is not where traffic was settled.
 */
export function rollbackTarget(
  tenant: Pick<TenantRow, "deployment">,
  history: readonly (readonly DeploymentVersion[])[],
): string | null {
  const split = tenant.deployment.filter((version) => version.percentage > 0).length > 1;
  const current = leadingVersion(tenant.deployment)?.id;
  for (const deployment of history) {
    const whole = deployment.find((version) => version.percentage === 100)?.id;
    if (whole !== undefined && (split || whole !== current)) return whole;
  }
  return null;
}

export function noRollbackTarget(tenant: Pick<TenantRow, "id" | "deployment">): Refusal {
  const current = leadingVersion(tenant.deployment);
  return conflict(
    current === undefined
      ? `tenant "${tenant.id}" has no deployed version: nothing to roll back`
      : `tenant "${tenant.id}" has had no version deployed before ${current.id}: nothing to roll back to (name one with versionId)`,
  );
}

/**
 * A change the API makes to the deployed version (a PATCH's re-upload, which
 * would replace the deployment; a secret set or deleted) is refused while the
 * deployment has two versions (sharing the traffic, or one staged at 0%).
 * A secret change is refused too when the latest version is not the one
 * deployed (after a rollback): the API changes the latest version's secrets
 * only, and refuses otherwise.
 */
export function refuseWhileDeploying(
  tenant: Pick<TenantRow, "id" | "deployment">,
  change: "secret" | "reupload",
  latest: Pick<VersionRow, "id" | "number"> | null,
): Refusal | null {
  const what = change === "secret" ? "a secret change" : "a change of plan or vars (which uploads the script again)";
  if (tenant.deployment.length > 1) {
    return conflict(
      `tenant "${tenant.id}" is deploying two versions (${describe(tenant.deployment)}): ${what} would end that; ${FINISH_FIRST(tenant.id)}`,
    );
  }
  const [deployed] = tenant.deployment;
  if (change === "secret" && latest !== null && deployed !== undefined && deployed.id !== latest.id) {
    return conflict(
      `tenant "${tenant.id}"'s latest version (${latest.number}, ${latest.id}) is not the one deployed (${deployed.id}): the API changes secrets of the latest version only; deploy it (POST /v1/tenants/${tenant.id}/deployments) or upload code (PUT /v1/tenants/${tenant.id}/script) first`,
    );
  }
  return null;
}

/** `PUT …/script?deploy=false` needs a version serving all the traffic, to stage the new one beside. */
export function refuseStaging(tenant: Pick<TenantRow, "id" | "deployment">): Refusal | null {
  if (tenant.deployment.length === 0) {
    return conflict(`tenant "${tenant.id}" has no deployed version yet: deploy its first code (deploy=true)`);
  }
  if (!tenant.deployment.some((version) => version.percentage === 100)) {
    return conflict(
      `tenant "${tenant.id}" is sharing its traffic between two versions (${describe(tenant.deployment)}): ${FINISH_FIRST(tenant.id)}`,
    );
  }
  return null;
}

/** An operation's failure that is the request's answer, when the request waits for it. */
export function refusalOf(error: OperationError): Refusal | null {
  switch (error.code) {
    case "script_rejected":
      return rejected(error);
    case "secrets_changed":
      return {
        ok: false,
        status: 409,
        code: "secrets_changed",
        message: `${error.message} (send force: true to deploy it with its own secrets)`,
      };
    case "deployment_conflict":
    case "deployment_refused":
    case "version_unknown":
      return conflict(error.message);
    default:
      return null;
  }
}
