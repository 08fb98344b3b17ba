import { z } from "zod";
import { ScriptAssetsInput } from "./assets.ts";
import { MAX_TAGS } from "./names.ts";

/**
 * The Workers for Platforms script API's shapes: the `metadata` part of a
 * script upload, the `settings` part of a settings PATCH, secrets, and what
 * the API answers with. The emulator validates uploads with these and the
 * control plane builds its uploads from them, so both agree by construction.
 * Shapes follow the official `cloudflare` SDK (7.x) and the multipart upload
 * metadata documentation.
 */

/** The variable name a binding gets in the worker's `env`. */
export const BindingName = z.string().min(1, "binding names must not be empty").max(1024);

/** `YYYY-MM-DD`, as `compatibility_date` is written. */
export const CompatibilityDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "compatibility_date must be a date written YYYY-MM-DD");

/** Tags may not contain `,` or `&`: they would break the `tags=a:yes,b:no` filter syntax. */
export const ScriptTag = z
  .string()
  .min(1, "tags must not be empty")
  .refine((tag) => !/[,&]/.test(tag), "tags cannot contain ',' or '&'");
export const ScriptTags = z.array(ScriptTag).max(MAX_TAGS, `a script has at most ${MAX_TAGS} tags`);

export const KvNamespaceBinding = z.object({
  type: z.literal("kv_namespace"),
  name: BindingName,
  namespace_id: z.string().min(1),
});

export const R2BucketBinding = z.object({
  type: z.literal("r2_bucket"),
  name: BindingName,
  bucket_name: z.string().min(1),
  jurisdiction: z.enum(["eu", "fedramp", "fedramp-high", "us"]).optional(),
});

/** `id` is the deprecated spelling of `database_id`; either names the database. */
export const D1BindingInput = z
  .object({
    type: z.literal("d1"),
    name: BindingName,
    database_id: z.string().min(1).optional(),
    id: z.string().min(1).optional(),
  })
  .refine((binding) => (binding.database_id ?? binding.id) !== undefined, {
    message: "d1 bindings need a database_id",
    path: ["database_id"],
  });

export const AnalyticsEngineBinding = z.object({
  type: z.literal("analytics_engine"),
  name: BindingName,
  dataset: z.string().min(1),
});

export const PlainTextBinding = z.object({ type: z.literal("plain_text"), name: BindingName, text: z.string() });

export const SecretTextBinding = z.object({ type: z.literal("secret_text"), name: BindingName, text: z.string() });

/**
 * Any JSON value, typed without recursion: the recursive type zod infers for
 * `z.json()` makes the Durable Object stubs that carry bindings too deep for tsc.
 */
type JsonValue = string | number | boolean | null | object;
export const JsonBinding = z.object({
  type: z.literal("json"),
  name: BindingName,
  json: z.json().transform((value): JsonValue => value),
});

export const ServiceBinding = z.object({
  type: z.literal("service"),
  name: BindingName,
  service: z.string().min(1),
  environment: z.string().optional(),
  entrypoint: z.string().optional(),
});

export const DurableObjectNamespaceBinding = z.object({
  type: z.literal("durable_object_namespace"),
  name: BindingName,
  class_name: z.string().min(1).optional(),
  script_name: z.string().optional(),
  environment: z.string().optional(),
  namespace_id: z.string().optional(),
  dispatch_namespace: z.string().optional(),
});

export const QueueBinding = z.object({ type: z.literal("queue"), name: BindingName, queue_name: z.string().min(1) });

export const DispatchNamespaceBinding = z.object({
  type: z.literal("dispatch_namespace"),
  name: BindingName,
  namespace: z.string().min(1),
  outbound: z
    .object({
      worker: z
        .object({
          service: z.string().optional(),
          environment: z.string().optional(),
          entrypoint: z.string().optional(),
        })
        .optional(),
      // Wrangler sends `{name}` objects; older API descriptions show bare strings.
      params: z.array(z.union([z.object({ name: z.string() }), z.string()])).optional(),
    })
    .optional(),
});

/**
 * The version's static assets as a Fetcher (`env.ASSETS.fetch()`), served as the version's assets are
 * served, without running the Worker. Only for a version that has assets (`metadata.assets` or `keep_assets`).
 */
export const AssetsBinding = z.object({ type: z.literal("assets"), name: BindingName });

/** Carries one binding over from the script's current version, renamed from `old_name` if given. */
export const InheritBinding = z.object({
  type: z.literal("inherit"),
  name: BindingName,
  old_name: BindingName.optional(),
  version_id: z.string().optional(),
});

const BINDING_TYPES = [
  "kv_namespace",
  "r2_bucket",
  "d1",
  "analytics_engine",
  "plain_text",
  "secret_text",
  "json",
  "service",
  "durable_object_namespace",
  "queue",
  "dispatch_namespace",
  "assets",
  "inherit",
] as const;
export type BindingType = (typeof BINDING_TYPES)[number];

/** A binding as an upload or a settings PATCH sends it. */
export const BindingInput = z.discriminatedUnion(
  "type",
  [
    KvNamespaceBinding,
    R2BucketBinding,
    D1BindingInput,
    AnalyticsEngineBinding,
    PlainTextBinding,
    SecretTextBinding,
    JsonBinding,
    ServiceBinding,
    DurableObjectNamespaceBinding,
    QueueBinding,
    DispatchNamespaceBinding,
    AssetsBinding,
    InheritBinding,
  ],
  {
    error: (issue) =>
      issue.code === "invalid_union" ? `unknown binding type; supported types: ${BINDING_TYPES.join(", ")}` : undefined,
  },
);
export type BindingInput = z.infer<typeof BindingInput>;

export const Limits = z.object({
  cpu_ms: z.number().int().min(1).optional(),
  subrequests: z.number().int().min(1).optional(),
});
export type Limits = z.infer<typeof Limits>;

const MigrationStep = z.object({
  new_classes: z.array(z.string()).optional(),
  new_sqlite_classes: z.array(z.string()).optional(),
  deleted_classes: z.array(z.string()).optional(),
  renamed_classes: z.array(z.object({ from: z.string(), to: z.string() })).optional(),
  transferred_classes: z.array(z.object({ from: z.string(), from_script: z.string(), to: z.string() })).optional(),
});

/**
 * Durable Object migrations, as one step or as `steps`. `old_tag` must be the
 * script's current migration tag; `new_tag` becomes it.
 */
export const Migrations = MigrationStep.extend({
  old_tag: z.string().optional(),
  new_tag: z.string().optional(),
  steps: z.array(MigrationStep).optional(),
});
export type Migrations = z.infer<typeof Migrations>;

/**
 * The declarative form of a script's Durable Object classes (`metadata.exports`), instead of
 * `migrations`: each class the script has, by export name; a class is removed by naming it with
 * `state: "deleted"`, or renamed with `state: "renamed"` and `renamed_to`.
 */
export const DurableObjectExport = z.object({
  type: z.literal("durable-object"),
  storage: z.enum(["sqlite", "kv"]).optional(),
  state: z.enum(["deleted", "renamed"]).optional(),
  renamed_to: z.string().min(1).optional(),
});
export const ScriptExports = z.record(z.string().min(1), DurableObjectExport);
export type ScriptExports = z.infer<typeof ScriptExports>;

export const UsageModel = z.enum(["standard", "bundled", "unbound"]);

export const Placement = z.object({
  mode: z.enum(["smart", "targeted"]).optional(),
  region: z.string().optional(),
  hostname: z.string().optional(),
  host: z.string().optional(),
  target: z.array(z.record(z.string(), z.string())).optional(),
});

const SamplingRate = z.number().min(0).max(1).nullable().optional();
export const Observability = z.object({
  enabled: z.boolean(),
  head_sampling_rate: SamplingRate,
  logs: z
    .object({
      enabled: z.boolean(),
      invocation_logs: z.boolean(),
      head_sampling_rate: SamplingRate,
      destinations: z.array(z.string()).optional(),
      persist: z.boolean().optional(),
    })
    .nullable()
    .optional(),
  traces: z
    .object({
      enabled: z.boolean().optional(),
      head_sampling_rate: SamplingRate,
      destinations: z.array(z.string()).optional(),
      persist: z.boolean().optional(),
    })
    .nullable()
    .optional(),
});

export const TailConsumer = z.object({
  service: z.string().min(1),
  environment: z.string().optional(),
  namespace: z.string().optional(),
});

/** What can be changed without new code: shared by uploads and settings PATCHes. */
const scriptSettingsFields = {
  bindings: z.array(BindingInput).optional(),
  compatibility_date: CompatibilityDate.optional(),
  compatibility_flags: z.array(z.string()).optional(),
  limits: Limits.optional(),
  logpush: z.boolean().optional(),
  migrations: Migrations.optional(),
  observability: Observability.optional(),
  placement: Placement.optional(),
  tags: ScriptTags.optional(),
  tail_consumers: z.array(TailConsumer).nullable().optional(),
  usage_model: UsageModel.optional(),
};

/** Bytes of a version's or deployment's message that are kept: the API truncates longer ones (SDK, `workers/message`). */
export const VERSION_MESSAGE_MAX_BYTES = 1000;
/** `workers/tag` is at most 100 bytes (SDK's VersionCreateParams). */
const VERSION_TAG_MAX_BYTES = 100;
const byteLength = (text: string) => new TextEncoder().encode(text).length;

/**
 * What a client says about a version (`metadata.annotations` of an upload or a version upload). Other
 * `workers/…` keys the SDK lists (commit sha, pull request) are accepted and not kept.
 */
export const VersionAnnotationsInput = z.object({
  "workers/message": z.string().optional(),
  "workers/tag": z
    .string()
    .refine((tag) => byteLength(tag) <= VERSION_TAG_MAX_BYTES, `workers/tag is at most ${VERSION_TAG_MAX_BYTES} bytes`)
    .optional(),
});
export type VersionAnnotationsInput = z.infer<typeof VersionAnnotationsInput>;

/** The JSON `metadata` part of `PUT …/namespaces/{ns}/scripts/{name}` (and of `POST …/versions`). */
export const ScriptMetadata = z.object({
  ...scriptSettingsFields,
  /** The part holding the entry module (ES module syntax). */
  main_module: z.string().min(1).optional(),
  /** The part holding a service-worker-syntax script. */
  body_part: z.string().min(1).optional(),
  /** Binding TYPES carried over from the current version, e.g. `["secret_text", "secret_key"]`. */
  keep_bindings: z.array(z.string()).optional(),
  /** The script's Durable Object classes, declared rather than migrated; not together with `migrations`. */
  exports: ScriptExports.optional(),
  /** The version's message and tag. */
  annotations: VersionAnnotationsInput.optional(),
  /** The version's static assets: the completion JWT of their upload session, and their config. */
  assets: ScriptAssetsInput.optional(),
  /** Keep the static assets of the script's latest version (an upload that changes only code). */
  keep_assets: z.boolean().optional(),
});
export type ScriptMetadata = z.infer<typeof ScriptMetadata>;
/** What a client writes into the `metadata` part. */
export type ScriptMetadataInput = z.input<typeof ScriptMetadata>;

/** The JSON `settings` part of `PATCH …/scripts/{name}/settings`: `bindings`, when given, is the whole list. */
export const ScriptSettingsPatch = z.object(scriptSettingsFields);
export type ScriptSettingsPatch = z.infer<typeof ScriptSettingsPatch>;

/** `PUT …/scripts/{name}/secrets`. */
export const SecretInput = z.object({
  name: BindingName,
  text: z.string(),
  type: z.literal("secret_text"),
});
export type SecretInput = z.infer<typeof SecretInput>;

/** Module part content types the upload accepts. */
export const MODULE_CONTENT_TYPES = [
  "application/javascript+module",
  "text/javascript+module",
  "application/javascript",
  "text/javascript",
  "text/x-python",
  "text/x-python-requirement",
  "application/wasm",
  "text/plain",
  "application/octet-stream",
  "application/source-map",
] as const;
export const ModuleContentType = z.enum(MODULE_CONTENT_TYPES);
export type ModuleContentType = z.infer<typeof ModuleContentType>;

/** Types a main module may have: code, not data. */
export const MAIN_MODULE_CONTENT_TYPES: readonly ModuleContentType[] = [
  "application/javascript+module",
  "text/javascript+module",
  "application/javascript",
  "text/javascript",
  "text/x-python",
];

// ---------------------------------------------------------------------------
// Answers.

/**
 * A binding as the API shows it (`GET …/bindings`, `GET …/settings`): secret
 * values never appear, and D1 bindings carry both spellings of the id.
 */
export const PublicBinding = z.discriminatedUnion("type", [
  KvNamespaceBinding,
  R2BucketBinding,
  z.object({ type: z.literal("d1"), name: BindingName, database_id: z.string(), id: z.string() }),
  AnalyticsEngineBinding,
  PlainTextBinding,
  z.strictObject({ type: z.literal("secret_text"), name: BindingName }),
  JsonBinding,
  ServiceBinding,
  DurableObjectNamespaceBinding,
  QueueBinding,
  DispatchNamespaceBinding,
  AssetsBinding,
]);
export type PublicBinding = z.infer<typeof PublicBinding>;

/** `GET/PATCH …/scripts/{name}/settings`. */
export const ScriptSettings = z.object({
  bindings: z.array(PublicBinding),
  compatibility_date: CompatibilityDate.optional(),
  compatibility_flags: z.array(z.string()),
  limits: Limits.optional(),
  logpush: z.boolean(),
  observability: Observability.optional(),
  placement: Placement.optional(),
  tags: z.array(z.string()),
  tail_consumers: z.array(TailConsumer),
  usage_model: UsageModel,
});
export type ScriptSettings = z.infer<typeof ScriptSettings>;

/** A script as the upload answer and `GET …/scripts/{name}` (under `script`) describe it. */
export const ScriptSummary = z.object({
  id: z.string(),
  tag: z.string(),
  etag: z.string(),
  created_on: z.string(),
  modified_on: z.string(),
  compatibility_date: CompatibilityDate.optional(),
  compatibility_flags: z.array(z.string()),
  has_assets: z.boolean(),
  has_modules: z.boolean(),
  logpush: z.boolean(),
  migration_tag: z.string().optional(),
  placement_mode: z.enum(["smart", "targeted"]).optional(),
  tags: z.array(z.string()),
  tail_consumers: z.array(TailConsumer),
  usage_model: UsageModel,
});
export type ScriptSummary = z.infer<typeof ScriptSummary>;

/** The answer to an upload (and to `PUT …/content`). */
export const UploadResult = ScriptSummary.extend({
  startup_time_ms: z.number().int(),
  /**
   * The id of the version the upload made and deployed to 100% (wrangler reads it as the version
   * id). Optional here because older answers lack it; the emulator always sends it.
   */
  deployment_id: z.string().optional(),
});
export type UploadResult = z.infer<typeof UploadResult>;

/** `GET …/namespaces/{ns}/scripts/{name}`, and each entry of the namespace's script list. */
export const NamespaceScript = z.object({
  created_on: z.string(),
  modified_on: z.string(),
  dispatch_namespace: z.string(),
  script: ScriptSummary,
});
export type NamespaceScript = z.infer<typeof NamespaceScript>;

/** `DELETE …/namespaces/{ns}/scripts?tags=…`: `id` is each deleted script's immutable tag. */
export const BulkDeleteResult = z.object({
  deleted: z.array(z.object({ id: z.string() })),
  deleted_count: z.number().int(),
  has_more: z.boolean(),
});
export type BulkDeleteResult = z.infer<typeof BulkDeleteResult>;

/** `GET/PUT …/secrets`: a secret's name and type, never its value. */
export const SecretSummary = z.object({ name: z.string(), type: z.literal("secret_text") });
export type SecretSummary = z.infer<typeof SecretSummary>;

// ---------------------------------------------------------------------------
// Dispatch namespaces.

/** Names the emulator accepts for a dispatch namespace (the API's own rule is unpublished). */
export const DispatchNamespaceName = z
  .string()
  .min(1, "name must not be empty")
  .max(63, "namespace names are at most 63 characters")
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]*$/, "namespace names are letters, digits, '-' and '_'");

/** `POST …/workers/dispatch/namespaces`. */
export const CreateDispatchNamespace = z.object({ name: DispatchNamespaceName });

export const DispatchNamespace = z.object({
  namespace_id: z.uuid(),
  namespace_name: z.string(),
  created_on: z.string(),
  created_by: z.string(),
  modified_on: z.string(),
  modified_by: z.string(),
  script_count: z.number().int(),
  trusted_workers: z.boolean(),
});
export type DispatchNamespace = z.infer<typeof DispatchNamespace>;
