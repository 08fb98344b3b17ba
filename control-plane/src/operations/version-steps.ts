import { z } from "zod";
import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { previewHostname } from "../../../platform/routes";
import { type DeploymentVersion, DeploymentVersions } from "../../../platform/tenants-api";
import { CloudflareApiError } from "../cloudflare/errors";
import { hostnameClaims } from "../registry/hostnames";
import { updateTenant } from "../registry/tenants";
import {
  getVersion,
  insertVersion,
  leadingVersion,
  markPreviewRouted,
  previewRoutedVersions,
  recordDeployment,
  versionMadeBy,
} from "../registry/versions";
import { allHostnames, deleteOwnRoutes, routeRecordOf, writeRoutes } from "../routing/routing-table";
import type { Step, StepContext } from "./context";
import { StepRefusal } from "./failures";
import { writeHostnameRoutes } from "./hostname-routes";
import { boundUpload, versionOf } from "./tenant-script";
import { defaultMessage, VersionNote } from "./version-notes";

/** A deployment of versions the tenant has: `POST …/deployments`, or a rollback to one version. */
export const DeploymentInput = VersionNote.extend({ versions: DeploymentVersions, force: z.boolean() });
export type DeploymentInput = z.infer<typeof DeploymentInput>;

const db = (context: StepContext) => context.env.DB;

/** Sends the tenant's traffic to the operation's versions. */
export const deployVersions: Step = {
  name: "deploy_versions",
  callsApi: true,
  async run(context) {
    const { versions, force } = DeploymentInput.parse(context.operation.input);
    await deployAndRecord(context, versions, force);
  },
};

/**
 * Creates the deployment, then records it as the tenant's live one, with the
 * leading version's bundle, vars and Durable Object bindings as the live ones
 * (a later PATCH re-uploads that bundle, not a newer one the deployment left).
 * Secret names follow only when `force` deployed a version whose secrets
 * differ; without it the API has made sure they are the latest version's.
 */
async function deployAndRecord(context: StepContext, versions: readonly DeploymentVersion[], force: boolean) {
  const { tenant } = context;
  const leading = leadingVersion(versions);
  const row = leading === undefined ? null : await getVersion(db(context), tenant.id, leading.id);
  if (row === null) throw new StepRefusal("version_unknown", `tenant "${tenant.id}" has no version ${leading?.id}`);
  try {
    await context.api.versions.deploy(context.config.dispatchNamespace, context.names.script, versions, {
      force,
      message: defaultMessage(context),
    });
  } catch (error) {
    throw refusedDeployment(error);
  }
  await db(context).batch([
    updateTenant(db(context), tenant.id, {
      scriptKey: row.script_key,
      // A secret change's version has the code's etag, which the registry did not learn: keep the one it has
      // (a null etag means "no script yet" to the secret steps).
      scriptEtag: row.etag ?? tenant.script_etag,
      scriptUploadedAt: row.created_at,
      vars: row.vars,
      durableObjectBindings: row.durable_object_bindings,
      ...(force ? { secretNames: row.secret_names } : {}),
    }),
    ...recordDeployment(db(context), tenant.id, context.operation.id, versions),
  ]);
}

/**
 * The API refusing a deployment for what it is (a 4xx other than a rate limit) fails the operation
 * with the API's message, which the request waiting for it answers as a 409; 10220 (secrets
 * changed) keeps its own code (`failures.ts`), and anything else is retried as usual.
 */
function refusedDeployment(error: unknown): unknown {
  if (!(error instanceof CloudflareApiError) || error.isRetryable) return error;
  if (error.hasCode(ErrorCode.secretsChangedSinceVersion)) return error;
  return new StepRefusal(
    "deployment_refused",
    `the Cloudflare API refused the deployment: ${error.apiMessage ?? error.message}`,
  );
}

/** `PUT …/script?deploy=false`: the code as a new version (`POST …/versions`), bound as an upload is, not deployed. */
export function uploadVersion(scriptKey: string): Step {
  return {
    name: "upload_version",
    callsApi: true,
    async run(context) {
      const { tenant } = context;
      // Made already by an attempt whose next write failed: a second one would be a version nobody deploys.
      if ((await versionMadeBy(db(context), tenant.id, context.operation.id)) !== null) return;
      // No secret is waiting (a tenant with a deployment has had them sent); the version keeps the latest's.
      const built = await boundUpload(context, scriptKey, undefined, { withPendingSecrets: false });
      if (built.change.migrations !== undefined) {
        throw new StepRefusal(
          "deployment_conflict",
          "the script creates or deletes Durable Object classes, which only a deploy can do (the API takes a migration with an upload that deploys): upload it with deploy=true",
        );
      }
      const message = defaultMessage(context);
      const created = await context.api.versions.create(context.config.dispatchNamespace, context.names.script, {
        ...built.code,
        bindings: built.bindings,
        message,
      });
      await insertVersion(db(context), {
        ...versionOf(context, tenant, built.objects),
        id: created.id,
        scriptKey,
        etag: created.etag,
        message,
      }).run();
    },
  };
}

/**
 * Puts the version just uploaded into the deployment at 0%, beside the live
 * version at 100%: its preview hostname answers (the API honours a version
 * override for a version in the deployment) while the traffic stays where it
 * was. A version staged before leaves the deployment.
 */
export const stageVersion: Step = {
  name: "stage_version",
  callsApi: true,
  async run(context) {
    const { tenant } = context;
    const staged = await versionMadeBy(db(context), tenant.id, context.operation.id);
    if (staged === null) throw new Error("the version to stage is not in the registry");
    const live = tenant.deployment.find((version) => version.percentage === 100);
    if (live === undefined) {
      throw new StepRefusal(
        "deployment_conflict",
        `tenant "${tenant.id}" has no version serving all its traffic (its deployment splits it): finish or roll back that deployment first`,
      );
    }
    const versions =
      live.id === staged.id
        ? [live]
        : [
            { id: live.id, percentage: 100 },
            { id: staged.id, percentage: 0 },
          ];
    await deployAndRecord(context, versions, false);
  },
};

/**
 * After a secret change, which makes a version deployed at 100%: the
 * registry reads the active deployment back (the secrets endpoint answers the
 * secret, not the version) and records that version, with the live bundle and
 * bindings, and the deployment. Reading it back rather than assuming keeps the
 * registry right if the API's answer ever differs from what is expected.
 */
export async function recordSecretVersion(context: StepContext): Promise<void> {
  const { tenant } = context;
  if (tenant.script_key === null) return;
  const active = await context.api.versions.active(context.config.dispatchNamespace, context.names.script);
  const leading = active === null ? undefined : leadingVersion(active.versions);
  if (active === null || leading === undefined) throw new Error("the script has no active deployment to read back");
  await db(context).batch([
    insertVersion(db(context), {
      ...versionOf(context, tenant, tenant.durable_object_bindings),
      id: leading.id,
      scriptKey: tenant.script_key,
      // The code is the live version's; the secrets endpoint does not say the new version's etag.
      etag: tenant.script_etag,
      message: defaultMessage(context),
    }),
    ...recordDeployment(db(context), tenant.id, context.operation.id, active.versions),
  ]);
}

/** A version's preview hostname, under the platform's domain. */
const previewOf = (context: StepContext, versionId: string) =>
  previewHostname(versionId, context.tenant.id, context.config.platformDomain);

/**
 * Brings the routing table in line with the tenant's deployment: its
 * hostnames' records (with `split` while two versions share the traffic), a
 * preview route for each deployed version, and none for a version that left.
 * A version is marked routed before its route is written and unmarked only
 * once its route is deleted, so a crash in between leaves nothing the
 * teardown would miss.
 */
export const routeVersions: Step = {
  name: "write_version_routes",
  callsApi: false,
  async run(context) {
    const { tenant } = context;
    const record = routeRecordOf(tenant, { plan: tenant.plan, suspended: tenant.suspended });
    // Claims still being added are written by the update that made them.
    const claims = (await hostnameClaims(db(context), tenant.id)).filter((claim) => claim.state !== "adding");
    const deployed = tenant.deployment.map((version) => version.id);
    const departed = (await previewRoutedVersions(db(context), tenant.id))
      .map((version) => version.id)
      .filter((id) => !deployed.includes(id));
    if (deployed.length > 0) await db(context).batch(markPreviewRouted(db(context), tenant.id, deployed, true));
    await writeHostnameRoutes(
      context,
      record,
      allHostnames(
        tenant.id,
        context.config.platformDomain,
        claims.map((claim) => claim.hostname),
      ),
    );
    const { split: _split, ...single } = record;
    await Promise.all(
      deployed.map((id) => writeRoutes(context.env.ROUTES, { ...single, version: id }, [previewOf(context, id)])),
    );
    await deleteOwnRoutes(
      context.env.ROUTES,
      tenant.id,
      departed.map((id) => previewOf(context, id)),
    );
    if (departed.length > 0) await db(context).batch(markPreviewRouted(db(context), tenant.id, departed, false));
  },
};

/** Every preview hostname a route may be under: for the teardown. */
export async function previewHostnames(context: StepContext): Promise<string[]> {
  const routed = (await previewRoutedVersions(db(context), context.tenant.id)).map((version) => version.id);
  const ids = new Set([...routed, ...context.tenant.deployment.map((version) => version.id)]);
  return [...ids].map((id) => previewOf(context, id));
}
