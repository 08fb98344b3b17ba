import type { DeploymentVersion } from "../../../cloudflare-api/versions";
import type { RunnableScript } from "./script-record";
import { chooseVersion, type VersionChoice } from "./version-choice";

/**
 * A script's active deployment with the runnable of each of its versions: everything any request to
 * the script may run, whatever version it chooses. What the dispatch path keeps (dispatch/deployed-cache.ts).
 */
export interface DeployedScript {
  /** The deployment's versions and their shares, in its order. */
  shares: DeploymentVersion[];
  /** The runnable of each deployed version that is stored, in the same order. */
  versions: { id: string; runnable: RunnableScript }[];
}

/** What one request runs: the chosen version, and the etags of every version the active deployment has. */
export interface RunnableVersion {
  runnable: RunnableScript;
  versionId: string;
  /** Versions side by side in the active deployment stay loaded together (dispatch/loaded-workers.ts). */
  deployedEtags: string[];
}

/** The deployed version one request runs (version-choice.ts); null when the chosen one is not stored. */
export function pickRunnable(deployed: DeployedScript, choice: VersionChoice): RunnableVersion | null {
  const chosen = chooseVersion(deployed.shares, choice);
  const version = deployed.versions.find((v) => v.id === chosen);
  if (version === undefined) return null;
  return {
    runnable: version.runnable,
    versionId: version.id,
    deployedEtags: deployed.versions.map((v) => v.runnable.etag),
  };
}
