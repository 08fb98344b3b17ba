import {
  type DeploymentInput,
  type DeploymentVersion,
  MAX_DEPLOYMENT_VERSIONS,
} from "../../../cloudflare-api/versions";
import { failure, success, validationFailed, type WorkersResult } from "./errors";
import { stableStringify } from "./etag";
import { objectClassesOf } from "./script-record";
import type { StoredVersion } from "./store/version-rows";

/**
 * The rules a deployment keeps, checked before anything is stored. Production's
 * wording for these is not documented; the emulator's messages name what is wrong.
 */

/**
 * Only the latest 100 uploaded versions can be deployed (cloudflare-docs,
 * workers/versions-and-deployments/deployment-management, "Deployments limit"; the
 * changelog of 2025-09-11 raised it from 10).
 */
export const DEPLOYABLE_VERSIONS = 100;

/** Percentages are numbers such as 33.3: compared with room for floating-point sums. */
const EPSILON = 1e-9;

/**
 * The deployment's versions, or the refusal: one or two versions of this script, each once,
 * among the latest 100, with the script's current Durable Object classes, adding up to 100.
 * `versions` are the script's own, newest first.
 */
export function checkDeployment(
  input: DeploymentInput,
  versions: readonly StoredVersion[],
): WorkersResult<DeploymentVersion[]> {
  const wanted = input.versions;
  if (wanted.length === 0) return refuse("A deployment needs at least one version.");
  if (wanted.length > MAX_DEPLOYMENT_VERSIONS) {
    return refuse(
      `A deployment splits traffic between at most ${MAX_DEPLOYMENT_VERSIONS} versions; ${wanted.length} were given.`,
    );
  }
  const ids = wanted.map((v) => v.version_id.toLowerCase());
  const repeated = ids.find((id, i) => ids.indexOf(id) !== i);
  if (repeated !== undefined) return refuse(`Version '${repeated}' is listed more than once.`);
  const total = wanted.reduce((sum, v) => sum + v.percentage, 0);
  if (Math.abs(total - 100) > EPSILON) {
    return refuse(`The versions' percentages must add up to 100; these add up to ${total}.`);
  }
  const latest = versions[0];
  const classes = latest === undefined ? "" : stableStringify(objectClassesOf(latest.record));
  for (const id of ids) {
    const index = versions.findIndex((v) => v.id === id);
    const version = versions[index];
    if (version === undefined) return refuse(`Version '${id}' is not a version of this Worker.`);
    if (index >= DEPLOYABLE_VERSIONS) {
      return refuse(
        `Version '${id}' is older than the latest ${DEPLOYABLE_VERSIONS} versions, which alone can be deployed.`,
      );
    }
    // Production refuses a rollback across a Durable Object migration (versions-and-deployments/rollbacks, "Bindings").
    if (stableStringify(objectClassesOf(version.record)) !== classes) {
      return refuse(
        `Version '${id}' has other Durable Object classes than the latest version (a migration came between): it cannot be deployed.`,
      );
    }
  }
  return success(wanted.map((v, i) => ({ version_id: ids[i] as string, percentage: v.percentage })));
}

const refuse = (message: string) => failure(validationFailed(message));

/** Secret values by name (in the store only: never answered). */
function secretsOf(version: StoredVersion): Map<string, string> {
  return new Map(
    version.record.version.bindings.flatMap((b) => (b.type === "secret_text" ? [[b.name, b.text] as const] : [])),
  );
}

/**
 * The names of the secrets that `versions` hold otherwise than the latest version: one
 * added, removed or with another value. Production refuses such a deployment unless
 * forced (10220), so that a rollback does not bring back a secret since changed.
 */
export function changedSecrets(versions: readonly StoredVersion[], latest: StoredVersion): string[] {
  const now = secretsOf(latest);
  const changed = new Set<string>();
  for (const version of versions) {
    if (version.id === latest.id) continue;
    const then = secretsOf(version);
    for (const name of new Set([...now.keys(), ...then.keys()])) {
      if (now.get(name) !== then.get(name)) changed.add(name);
    }
  }
  return [...changed].sort();
}
