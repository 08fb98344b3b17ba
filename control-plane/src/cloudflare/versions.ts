import { Deployment, DeploymentList, VersionCreateResult } from "../../../cloudflare-api/versions";
import { VersionId } from "../../../platform/routes";
import type { DeploymentVersion } from "../../../platform/tenants-api";
import type { CloudflareApi } from "./transport";
import { type ScriptUpload, scriptUploadForm } from "./upload-body";

/**
 * Versions and deployments of a script in a dispatch namespace
 * (cloudflare-docs, `workers-for-platforms/versioning/`). The `cloudflare`
 * SDK has them for account scripts only, so the calls are built here, with
 * the bodies production takes.
 */

const scriptPath = (namespace: string, script: string, rest: string) =>
  `/workers/dispatch/namespaces/${encodeURIComponent(namespace)}/scripts/${encodeURIComponent(script)}${rest}`;

export type CreatedVersion = { readonly id: VersionId; readonly etag: string };
export type ApiDeployment = { readonly id: string; readonly versions: DeploymentVersion[] };

const deploymentOf = (parsed: Deployment): ApiDeployment => ({
  id: parsed.id,
  versions: parsed.versions.map((version) => ({
    id: VersionId.parse(version.version_id),
    percentage: version.percentage,
  })),
});

/** The annotation the API shows as a version's or deployment's message. */
const annotations = (message: string | undefined) =>
  message === undefined ? {} : { annotations: { "workers/message": message } };

export class ScriptVersions {
  constructor(private readonly api: CloudflareApi) {}

  /**
   * Uploads a version without deploying it. Sent once (a POST): a retry after
   * a lost answer would make a second version nobody deploys, which is
   * harmless, but the caller decides.
   */
  async create(namespace: string, script: string, upload: ScriptUpload): Promise<CreatedVersion> {
    scriptUploadForm(upload);
    const secrets = upload.bindings.flatMap((b) => (b.type === "secret_text" ? [b.text] : []));
    const result = await this.api.request(
      `upload a version of script ${script} to ${namespace}`,
      "once",
      "POST",
      scriptPath(namespace, script, "/versions"),
      () => scriptUploadForm(upload),
      secrets,
    );
    const parsed = VersionCreateResult.pick({ id: true, resources: true }).parse(result);
    return { id: VersionId.parse(parsed.id), etag: parsed.resources.script.etag };
  }

  /**
   * Sends the script's traffic to these versions. Retried like an idempotent
   * call: the same deployment made twice serves the same traffic (the API's
   * history has it twice). `force`: even if the versions' secrets differ from
   * the latest version's (refused 10220 otherwise).
   */
  async deploy(
    namespace: string,
    script: string,
    versions: readonly DeploymentVersion[],
    options: { force: boolean; message?: string | undefined },
  ): Promise<ApiDeployment> {
    const body = JSON.stringify({
      strategy: "percentage",
      versions: versions.map((version) => ({ version_id: version.id, percentage: version.percentage })),
      ...annotations(options.message),
    });
    const result = await this.api.request(
      `deploy versions of script ${script} in ${namespace}`,
      "idempotent",
      "POST",
      scriptPath(namespace, script, `/deployments${options.force ? "?force=true" : ""}`),
      // A typed Blob: the request carries `Content-Type: application/json`.
      () => new Blob([body], { type: "application/json" }),
    );
    return deploymentOf(Deployment.parse(result));
  }

  /** The deployment serving the script's traffic now (the newest), or null before its first. */
  async active(namespace: string, script: string): Promise<ApiDeployment | null> {
    const result = await this.api.request(
      `list deployments of script ${script} in ${namespace}`,
      "idempotent",
      "GET",
      scriptPath(namespace, script, "/deployments"),
    );
    const [newest] = DeploymentList.parse(result).deployments;
    return newest === undefined ? null : deploymentOf(newest);
  }
}
