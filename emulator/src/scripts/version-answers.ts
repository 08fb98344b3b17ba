import type { Deployment, VersionDetail, VersionSummary } from "../../../cloudflare-api/versions";
import { publicBinding } from "./bindings";
import { DEFAULT_USAGE_MODEL, objectClassesOf } from "./script-record";
import type { StoredDeployment } from "./store/deployment-rows";
import type { StoredVersion } from "./store/version-rows";

/** Versions and deployments as the API answers them (cloudflare-api/versions.ts): never a secret value. */

/**
 * The emulator has tokens, not users: every version is the API's, made by this author.
 * Production fills these from the token's user.
 */
const AUTHOR = { author_email: "api@wfp-emulator.local", author_id: "wfp-emulator" } as const;

const withAnnotations = <T extends object>(answer: T, annotations: object) =>
  Object.keys(annotations).length === 0 ? answer : { ...answer, annotations };

export const versionSummary = (version: StoredVersion): VersionSummary =>
  withAnnotations(
    {
      id: version.id,
      number: version.number,
      metadata: {
        ...AUTHOR,
        created_on: version.created_on,
        modified_on: version.created_on,
        source: "api" as const,
        // Previews of versions are the platform's own (preview hostnames through the dispatcher), not workers.dev's.
        hasPreview: false,
      },
    },
    version.annotations,
  );

/** `handlers` are what the version's start found its default export to have. */
export function versionDetail(version: StoredVersion): VersionDetail {
  const { record } = version;
  const classes = objectClassesOf(record);
  const limits = record.settings.limits?.cpu_ms;
  return {
    ...versionSummary(version),
    resources: {
      bindings: record.version.bindings.map((binding) => publicBinding(binding, classes)),
      script: { etag: record.etag, handlers: record.version.handlers ?? [], last_deployed_from: "api" },
      script_runtime: {
        ...(record.version.compatibility_date === undefined
          ? {}
          : { compatibility_date: record.version.compatibility_date }),
        compatibility_flags: record.version.compatibility_flags,
        usage_model: record.settings.usage_model ?? DEFAULT_USAGE_MODEL,
        ...(limits === undefined ? {} : { limits: { cpu_ms: limits } }),
        ...(record.migration_tag === null ? {} : { migration_tag: record.migration_tag }),
      },
    },
  };
}

export const deploymentAnswer = (deployment: StoredDeployment): Deployment =>
  withAnnotations(
    {
      id: deployment.id,
      created_on: deployment.created_on,
      source: "api",
      strategy: "percentage" as const,
      versions: deployment.versions,
      author_email: AUTHOR.author_email,
    },
    deployment.annotations,
  );
