import { z } from "zod";
import { PublicBinding, UsageModel, VERSION_MESSAGE_MAX_BYTES } from "./script-metadata";

/*
 * Versions and deployments of a script in a dispatch namespace
 * (`…/dispatch/namespaces/{ns}/scripts/{s}/versions` and `…/deployments`). The OpenAPI
 * extract has no such paths: these shapes follow the `cloudflare` SDK's types
 * (resources/workers/scripts/versions.d.ts: VersionCreateResponse, VersionListResponse,
 * VersionGetResponse; deployments.d.ts: Deployment, DeploymentCreateParams,
 * DeploymentListResponse), which mirror the account-level endpoints the namespace ones
 * copy (cloudflare-docs, workers-for-platforms/versioning/).
 */

export const VersionAnnotations = z.object({
  "workers/message": z.string().optional(),
  "workers/tag": z.string().optional(),
  /** What made it: "upload", "secret", … (the values wrangler's `formatTrigger` knows). */
  "workers/triggered_by": z.string().optional(),
});
export type VersionAnnotations = z.infer<typeof VersionAnnotations>;

/** Who made a version and when (the SDK's `metadata`; `hasPreview` is spelt so). */
export const VersionMetadata = z.object({
  author_email: z.string(),
  author_id: z.string(),
  created_on: z.string(),
  modified_on: z.string(),
  source: z.literal("api"),
  hasPreview: z.boolean(),
});

/** One entry of `GET …/versions` (`result.items`). */
export const VersionSummary = z.object({
  id: z.uuid(),
  number: z.number().int().positive(),
  metadata: VersionMetadata,
  annotations: VersionAnnotations.optional(),
});
export type VersionSummary = z.infer<typeof VersionSummary>;

export const VersionList = z.object({ items: z.array(VersionSummary) });
export type VersionList = z.infer<typeof VersionList>;

/** `GET …/versions/{id}`, and (with `startup_time_ms`) the answer to `POST …/versions`. */
export const VersionDetail = VersionSummary.extend({
  resources: z.object({
    bindings: z.array(PublicBinding),
    script: z.object({
      etag: z.string(),
      handlers: z.array(z.string()),
      last_deployed_from: z.string(),
    }),
    script_runtime: z.object({
      compatibility_date: z.string().optional(),
      compatibility_flags: z.array(z.string()),
      usage_model: UsageModel,
      limits: z.object({ cpu_ms: z.number().int().optional() }).optional(),
      migration_tag: z.string().optional(),
    }),
  }),
});
export type VersionDetail = z.infer<typeof VersionDetail>;

export const VersionCreateResult = VersionDetail.extend({ startup_time_ms: z.number().int() });
export type VersionCreateResult = z.infer<typeof VersionCreateResult>;

/** A version's share of a deployment's traffic. */
export const DeploymentVersion = z.object({
  version_id: z.string(),
  /** Percent of requests, 0 to 100; a deployment's add up to 100. */
  percentage: z.number(),
});
export type DeploymentVersion = z.infer<typeof DeploymentVersion>;

/** Most versions one deployment may split traffic between (docs: "one or two versions"). */
export const MAX_DEPLOYMENT_VERSIONS = 2;

/**
 * `POST …/deployments`. Only the shape is checked here; the rules a deployment must
 * keep (how many versions, their sum, whose they are) are the emulator's, with messages
 * of their own.
 */
export const DeploymentInput = z.object({
  strategy: z.literal("percentage"),
  versions: z.array(
    DeploymentVersion.extend({
      version_id: z.string().min(1),
      percentage: z.number().min(0).max(100),
    }),
  ),
  annotations: z
    .object({ "workers/message": z.string().optional() })
    .optional()
    .transform((annotations) => {
      const message = annotations?.["workers/message"];
      return message === undefined ? undefined : { "workers/message": truncateMessage(message) };
    }),
});
export type DeploymentInput = z.infer<typeof DeploymentInput>;

export const Deployment = z.object({
  id: z.uuid(),
  created_on: z.string(),
  source: z.string(),
  strategy: z.literal("percentage"),
  versions: z.array(DeploymentVersion),
  annotations: z
    .object({ "workers/message": z.string().optional(), "workers/triggered_by": z.string().optional() })
    .optional(),
  author_email: z.string().optional(),
});
export type Deployment = z.infer<typeof Deployment>;

export const DeploymentList = z.object({ deployments: z.array(Deployment) });
export type DeploymentList = z.infer<typeof DeploymentList>;

/** A message cut to the bytes the API keeps, never inside a character. */
export function truncateMessage(message: string): string {
  const bytes = new TextEncoder().encode(message);
  if (bytes.length <= VERSION_MESSAGE_MAX_BYTES) return message;
  return new TextDecoder().decode(bytes.slice(0, VERSION_MESSAGE_MAX_BYTES)).replace(/\uFFFD+$/, "");
}

/**
 * The request headers that pick a version of a script in a gradual deployment
 * (cloudflare-docs, workers/configuration/versions-and-deployments/gradual-deployments:
 * "Version overrides", "Version affinity"), lowercase as `Headers` gives names.
 * The override is an RFC 8941 Dictionary: `<script>="<version id>"`.
 */
export const VERSION_OVERRIDES_HEADER = "cloudflare-workers-version-overrides";
/** Makes the deployment's percentage split deterministic for one key: the same key, the same version. */
export const VERSION_KEY_HEADER = "cloudflare-workers-version-key";
