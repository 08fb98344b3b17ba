import type { DeploymentVersion } from "../../../cloudflare-api/versions";
import { pointFor, versionAt } from "../scripts/version-choice";

/**
 * Which version of its script each Durable Object runs. Production assigns each object one
 * version of the active deployment by the deployment's percentages, the same for as long as
 * the deployment lasts (cloudflare-docs, workers/versions-and-deployments/gradual-deployments/
 * with-durable-objects); here an object's namespace and id are hashed to a point against the
 * versions' cumulative percentages, as a version key is (scripts/version-choice.ts). So an
 * object keeps its version when a later deployment lists the versions in the same order and
 * grows its version's share, as the docs guarantee.
 */

/** A script's active deployment as its objects' host needs it. */
export interface ObjectsDeployment {
  /** The script's own id: a script made again under its name starts with no objects. */
  tag: string;
  /** The script's Durable Object namespaces (the same in every version a deployment has). */
  namespaces: string[];
  versions: (DeploymentVersion & { etag: string })[];
}

/** The deployment's version that runs the object. */
export function versionForObject(
  deployment: ObjectsDeployment,
  namespaceId: string,
  objectId: string,
): DeploymentVersion & { etag: string } {
  const id = versionAt(deployment.versions, pointFor(`${namespaceId}:${objectId}`));
  const version = deployment.versions.find((v) => v.version_id === id);
  if (version === undefined) throw new Error("a deployment without the version it chose");
  return version;
}
