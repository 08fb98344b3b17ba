import { z } from "zod";
import {
  AssetHash,
  AssetManifest,
  HtmlHandling,
  MAX_ASSET_COUNT,
  MAX_ASSET_SIZE,
  NotFoundHandling,
  RunWorkerFirst,
} from "../cloudflare-api/assets.ts";
import { CronExpression } from "../cloudflare-api/cron.ts";
import { BindingName } from "../cloudflare-api/script-metadata.ts";
import { CustomHostnameView } from "./custom-hostname-view.ts";
import { Hostname } from "./hostnames.ts";
import { cronLimitRefusal, MAX_CRONS_ANY_PLAN, PlanName } from "./plans.ts";
import { RequestCount } from "./request-metrics.ts";
import { PREVIEW_SEPARATOR, TENANT_ID, TenantId, VersionId } from "./routes.ts";
import { ModuleContent, ModuleName, modulesIssues } from "./script-modules.ts";

/**
 * The control plane's public API (`/v1`): request and response bodies. The
 * control plane validates with these and builds its OpenAPI document from
 * them; the `wfp` CLI parses answers with them. One definition for both.
 */

/**
 * Labels no tenant may take: they name the platform's own endpoints, or are
 * commonly expected to (`www`, `api`). PLATFORM_HOSTS' first labels are refused too.
 */
export const RESERVED_TENANT_IDS: ReadonlySet<string> = new Set([
  "www",
  "api",
  "admin",
  "app",
  "dashboard",
  "docs",
  "status",
  "mail",
  "platform",
  "control-plane",
  "dispatcher",
  "emulator",
  "outbound",
  "wfp",
]);

/**
 * The id of a tenant to create: any tenant id the platform has not reserved,
 * without "--", which joins a version to a tenant in preview hostnames.
 */
export const NewTenantId = TenantId.refine((id) => !RESERVED_TENANT_IDS.has(id), {
  message: "this tenant id is reserved for the platform",
}).refine((id) => !id.includes(PREVIEW_SEPARATOR), {
  message: `tenant ids cannot hold "${PREVIEW_SEPARATOR}": it joins a version to a tenant in preview hostnames`,
});

/** The names the control plane binds itself; vars and secrets must not shadow them. */
export const RESERVED_BINDING_NAMES: ReadonlySet<string> = new Set(["KV", "BUCKET", "DB", "ANALYTICS", "ASSETS"]);

/**
 * A name a tenant may give a var or a secret: a binding name a Worker can read
 * as `env.NAME`, which the platform does not bind itself.
 */
export const UserBindingName = BindingName.regex(
  /^[A-Za-z_][A-Za-z0-9_]{0,63}$/,
  "names are letters, digits and underscores, not starting with a digit",
)
  // Assigning `__proto__` on an object sets its prototype instead of a key, so
  // such a name would vanish from every record it passes through (and from
  // the Worker's env): refused, never dropped.
  .refine((name) => name !== "__proto__", { message: "__proto__ cannot be a name: it is JavaScript's prototype" })
  .refine((name) => !RESERVED_BINDING_NAMES.has(name), {
    message: "KV, BUCKET, DB, ANALYTICS and ASSETS are bound by the platform",
  });

const CompatibilityDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "compatibility dates are YYYY-MM-DD");

/** A D1 migration's name, which orders it: `0001_create_notes.sql`. */
export const MigrationName = z
  .string()
  .regex(/^[0-9]{4}_[a-z0-9_]+\.sql$/, "migration names look like 0001_create_notes.sql");

/** A Durable Object class: the name its module exports it under, a JavaScript identifier. */
export const ClassName = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z_$][A-Za-z0-9_$]*$/, "class names are JavaScript identifiers: letters, digits, _ and $");

/** How many Durable Object classes one script may bind, and may delete at once. */
export const MAX_DURABLE_OBJECT_CLASSES = 32;
/** How many Durable Object bindings one script may have. */
export const MAX_DURABLE_OBJECT_BINDINGS = 64;

/**
 * A script's static assets (Workers static assets, bound as `ASSETS`): the files by path, each by
 * its hash and size as Cloudflare's manifest has them (`cloudflare-api/assets.ts`; the hash is
 * wrangler's, `cloudflare-api/asset-hash.ts`), and how they are served. The files themselves are
 * sent beforehand to `POST /v1/assets` (only those `POST /v1/assets/missing` names).
 */
export const ScriptAssets = z.strictObject({
  manifest: AssetManifest,
  htmlHandling: HtmlHandling.optional(),
  notFoundHandling: NotFoundHandling.optional(),
  runWorkerFirst: RunWorkerFirst.optional(),
});
export type ScriptAssets = z.infer<typeof ScriptAssets>;

/** `POST /v1/assets/missing`: which of these files the platform does not have yet. */
export const AssetsMissingRequest = z.strictObject({
  hashes: z.array(AssetHash).max(MAX_ASSET_COUNT, `at most ${MAX_ASSET_COUNT} hashes`),
});
export type AssetsMissingRequest = z.infer<typeof AssetsMissingRequest>;
export const AssetsMissing = z.object({ missing: z.array(AssetHash) });
export type AssetsMissing = z.infer<typeof AssetsMissing>;

/**
 * `POST /v1/assets` answers which files it stored. Its body is multipart/form-data, one part per
 * file: the field name is the file's hash, the filename its path (the hash covers its extension).
 */
export const AssetsStored = z.object({ stored: z.array(AssetHash) });

/**
 * The largest `POST /v1/assets` body: one file of the largest size (25 MiB) and its multipart
 * framing. Clients send their files in batches under it, a 25 MiB file alone; the control plane
 * parses a body whole, so this also bounds what one request holds in its memory.
 */
export const MAX_ASSETS_BODY_BYTES = MAX_ASSET_SIZE + 1024 * 1024;
export type AssetsStored = z.infer<typeof AssetsStored>;

/** What a script is made of: its modules, dates and flags, D1 migrations and Durable Objects. */
const scriptFields = {
  mainModule: ModuleName,
  /** Source text by name (`index.js`), or `{type, base64}` for WebAssembly and other bytes (script-modules.ts). */
  modules: z.record(ModuleName, ModuleContent),
  compatibilityDate: CompatibilityDate.optional(),
  compatibilityFlags: z.array(z.string().min(1).max(100)).max(50).optional(),
  /**
   * The tenant database's migrations, applied in name order to its D1 when
   * the tenant is provisioned and whenever new ones arrive with new code
   * (the ones already applied are recorded in the database, as wrangler does).
   */
  migrations: z.record(MigrationName, z.string().min(1)).optional(),
  /**
   * The script's Durable Object bindings: binding name → the class its main
   * module exports. Several bindings may name one class. A class bound for
   * the first time is created (a SQLite-backed class); a class the tenant had
   * and no binding names any more is kept, with its objects' data, unless
   * `deletedDurableObjectClasses` lists it.
   */
  durableObjects: z.record(UserBindingName, ClassName).optional(),
  /**
   * Classes to delete, with every object of theirs and its data: the explicit
   * consent a deletion needs. Each must be a class the tenant has, and none
   * may still be bound in `durableObjects`.
   */
  deletedDurableObjectClasses: z.array(ClassName).max(MAX_DURABLE_OBJECT_CLASSES).optional(),
  /**
   * The script's static assets. Absent: the assets the tenant's Worker has are kept (an upload that
   * changes only code, as a rollout's); null: it has none from this version on.
   */
  assets: ScriptAssets.nullable().optional(),
};

/** The rules a script keeps beyond each field's own. */
const checkScript = (script: z.infer<z.ZodObject<typeof scriptFields>>, ctx: z.RefinementCtx) => {
  const bindings = Object.entries(script.durableObjects ?? {});
  if (bindings.length > MAX_DURABLE_OBJECT_BINDINGS) {
    ctx.addIssue({
      code: "custom",
      path: ["durableObjects"],
      message: `at most ${MAX_DURABLE_OBJECT_BINDINGS} Durable Object bindings`,
    });
  }
  const bound = new Set(bindings.map(([, className]) => className));
  if (bound.size > MAX_DURABLE_OBJECT_CLASSES) {
    ctx.addIssue({
      code: "custom",
      path: ["durableObjects"],
      message: `at most ${MAX_DURABLE_OBJECT_CLASSES} Durable Object classes`,
    });
  }
  const deleted = script.deletedDurableObjectClasses ?? [];
  deleted.forEach((className, index) => {
    if (bound.has(className)) {
      const binding = bindings.find(([, bound]) => bound === className)?.[0];
      ctx.addIssue({
        code: "custom",
        path: ["deletedDurableObjectClasses", index],
        message: `"${className}" is still bound (durableObjects.${binding}): a class is deleted only once no binding names it`,
      });
    }
    if (deleted.indexOf(className) !== index) {
      ctx.addIssue({
        code: "custom",
        path: ["deletedDurableObjectClasses", index],
        message: `"${className}" is listed twice`,
      });
    }
  });
  if (!Object.hasOwn(script.modules, script.mainModule)) {
    ctx.addIssue({
      code: "custom",
      path: ["mainModule"],
      message: `"${script.mainModule}" is not among the modules`,
    });
  }
  for (const issue of modulesIssues(script.modules, script.mainModule)) ctx.addIssue({ code: "custom", ...issue });
};

export const ScriptSource = z.strictObject(scriptFields).superRefine(checkScript);
export type ScriptSource = z.infer<typeof ScriptSource>;

/**
 * The script's cron triggers: the whole list, each a cron expression Cloudflare takes (UTC),
 * none twice; how many the tenant's plan allows is checked against the plan. As `wrangler deploy`
 * treats `[triggers] crons`: absent leaves the tenant's crons as they are, `[]` removes them all.
 */
export const Crons = z
  .array(CronExpression)
  .max(MAX_CRONS_ANY_PLAN, `no plan allows more than ${MAX_CRONS_ANY_PLAN} cron triggers`)
  .superRefine((crons, ctx) => {
    crons.forEach((cron, index) => {
      if (crons.indexOf(cron) !== index)
        ctx.addIssue({ code: "custom", path: [index], message: `"${cron}" is listed twice` });
    });
  });

/** A script a tenant is created with: its code, and its cron triggers (none when absent). */
export const TenantScriptSource = z.strictObject({ ...scriptFields, crons: Crons.optional() }).superRefine(checkScript);
export type TenantScriptSource = z.infer<typeof TenantScriptSource>;

export const ResourceSelection = z.strictObject({
  kv: z.boolean().default(true),
  r2: z.boolean().default(true),
  d1: z.boolean().default(true),
});
export type ResourceSelection = z.infer<typeof ResourceSelection>;

const Vars = z.record(UserBindingName, z.string().max(5120)).refine((vars) => Object.keys(vars).length <= 64, {
  message: "at most 64 vars",
});
const Secrets = z.record(UserBindingName, z.string().min(1).max(5120)).refine((s) => Object.keys(s).length <= 64, {
  message: "at most 64 secrets",
});
const Hostnames = z.array(Hostname).max(50);

export const CreateTenantRequest = z
  .strictObject({
    id: NewTenantId,
    plan: PlanName,
    hostnames: Hostnames.default([]),
    resources: ResourceSelection.default({ kv: true, r2: true, d1: true }),
    script: TenantScriptSource.optional(),
    vars: Vars.default({}),
    secrets: Secrets.default({}),
  })
  .superRefine((body, ctx) => {
    const tooManyCrons = cronLimitRefusal(body.plan, body.script?.crons?.length ?? 0);
    if (tooManyCrons !== null) ctx.addIssue({ code: "custom", path: ["script", "crons"], message: tooManyCrons });
    for (const name of Object.keys(body.secrets)) {
      if (Object.hasOwn(body.vars, name))
        ctx.addIssue({ code: "custom", path: ["secrets", name], message: `"${name}" is a var too` });
    }
    for (const name of Object.keys(body.script?.durableObjects ?? {})) {
      const clash = Object.hasOwn(body.vars, name) ? "a var" : Object.hasOwn(body.secrets, name) ? "a secret" : null;
      if (clash !== null) {
        ctx.addIssue({
          code: "custom",
          path: ["script", "durableObjects", name],
          message: `"${name}" is ${clash} too: a Durable Object binding needs a name of its own`,
        });
      }
    }
    (body.script?.deletedDurableObjectClasses ?? []).forEach((className, index) => {
      ctx.addIssue({
        code: "custom",
        path: ["script", "deletedDurableObjectClasses", index],
        message: `"${className}" is not a class of the tenant: a new tenant has no Durable Object classes to delete`,
      });
    });
  });
export type CreateTenantRequest = z.infer<typeof CreateTenantRequest>;

export const UpdateTenantRequest = z
  .strictObject({
    plan: PlanName.optional(),
    hostnames: Hostnames.optional(),
    vars: Vars.optional(),
    suspended: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, {
    message: "nothing to change: send plan, hostnames, vars or suspended",
  });
export type UpdateTenantRequest = z.infer<typeof UpdateTenantRequest>;

export const PutSecretRequest = z.strictObject({ value: z.string().min(1).max(5120) });
export type PutSecretRequest = z.infer<typeof PutSecretRequest>;

export const TenantState = z.enum(["provisioning", "active", "failed", "suspended", "deleting", "deleted"]);
export type TenantState = z.infer<typeof TenantState>;

/** `deployment`: a deployment of versions the tenant has (`POST …/deployments`, `POST …/rollback`). */
export const OperationKind = z.enum([
  "provision",
  "deploy",
  "update",
  "put_secret",
  "delete_secret",
  "delete",
  "deployment",
]);
export type OperationKind = z.infer<typeof OperationKind>;

export const OperationState = z.enum(["queued", "running", "succeeded", "failed"]);
export type OperationState = z.infer<typeof OperationState>;

/** When a record was made and last changed (ISO 8601), as every view ends. */
const Timestamps = { createdAt: z.iso.datetime(), updatedAt: z.iso.datetime() };

export const ErrorSummary = z.object({ code: z.string(), message: z.string(), at: z.iso.datetime() });

export const OperationView = z.object({
  id: z.string(),
  kind: OperationKind,
  state: OperationState,
  /** The step running or last run. */
  step: z.string().nullable(),
  attempts: z.number().int(),
  error: ErrorSummary.nullable(),
  ...Timestamps,
});
export type OperationView = z.infer<typeof OperationView>;

export const StepState = z.enum(["running", "succeeded", "failed"]);
export type StepState = z.infer<typeof StepState>;

/** One step of an operation as it ran (`rollback:<step>` for a failed provisioning's undoing). */
export const OperationStepView = z.object({
  name: z.string(),
  /** `failed` while a retry waits too: the operation's `state` says whether it goes on. */
  state: StepState,
  /** How often it was started. */
  attempts: z.number().int().min(0),
  /** Its latest failure, kept after a retry succeeded; null if it never failed. */
  lastError: ErrorSummary.nullable(),
  /** When its first attempt started; null for a step recorded before the registry kept it. */
  startedAt: z.iso.datetime().nullable(),
  /** When it last succeeded or failed; null while it runs. */
  finishedAt: z.iso.datetime().nullable(),
});
export type OperationStepView = z.infer<typeof OperationStepView>;

/** An operation with its steps, in the order they first ran. */
export const OperationHistoryView = OperationView.extend({
  /** The rollout that submitted it, if one did. */
  rolloutId: z.string().nullable(),
  steps: z.array(OperationStepView),
});
export type OperationHistoryView = z.infer<typeof OperationHistoryView>;

export const ListOperationsQuery = z.strictObject({
  /** The `cursor` of the page before: operations older than it. */
  cursor: z
    .string()
    .regex(/^[1-9][0-9]{0,15}$/, "not a cursor this API gave")
    .optional(),
  limit: z.coerce.number().int().min(1).max(50).default(10),
});
export type ListOperationsQuery = z.infer<typeof ListOperationsQuery>;

/** Newest first; `cursor` for the next (older) page, null on the last. */
export const OperationList = z.object({ operations: z.array(OperationHistoryView), cursor: z.string().nullable() });
export type OperationList = z.infer<typeof OperationList>;

/** The live script's Durable Objects. */
export const DurableObjectsView = z.object({
  /** Binding name → class, as the live script is bound. */
  bindings: z.record(z.string(), z.string()),
  /**
   * Every class the script has, in name order: those bound, and those kept
   * (with their objects' data) after no binding names them any more.
   */
  classes: z.array(z.string()),
  /** The script's Durable Object migration tag; null before its first class. */
  migrationTag: z.string().nullable(),
});
export type DurableObjectsView = z.infer<typeof DurableObjectsView>;

export const TenantView = z.object({
  id: z.string(),
  plan: PlanName,
  state: TenantState,
  /** Every hostname the tenant answers on, its own `<id>.<platform domain>` first. */
  hostnames: z.array(z.string()),
  /**
   * Its hostnames outside the platform's domain (Cloudflare for SaaS custom hostnames), each with
   * its validation: what the tenant must publish, and whether it is live (served) yet.
   */
  customHostnames: z.array(CustomHostnameView),
  resources: z.object({
    kv: z.object({ id: z.string(), title: z.string() }).nullable(),
    r2: z.object({ name: z.string() }).nullable(),
    d1: z.object({ id: z.string(), name: z.string() }).nullable(),
  }),
  script: z
    .object({
      name: z.string(),
      etag: z.string().nullable(),
      uploadedAt: z.iso.datetime().nullable(),
      compatibilityDate: z.string(),
      durableObjects: DurableObjectsView,
      /** The script's cron triggers as set on Cloudflare (UTC), in the order given. */
      crons: z.array(z.string()),
    })
    .nullable(),
  vars: z.record(z.string(), z.string()),
  /** Names only: a secret's value is never returned. */
  secrets: z.array(z.string()),
  lastError: ErrorSummary.nullable(),
  /**
   * What a PATCH asked for that is not live yet (its operation is queued or
   * running): `plan`, `vars`, `hostnames` and `suspended` above are what is
   * live. Null when nothing is waiting. A plan, vars or suspension whose
   * operation failed is not here (`lastError` says why); hostnames whose
   * routes could not be written stay claimed and listed here until a PATCH
   * changes them or a later operation writes them.
   */
  pending: z
    .object({
      plan: PlanName.optional(),
      vars: z.record(z.string(), z.string()).optional(),
      suspended: z.boolean().optional(),
      /** The whole list the tenant will answer on. */
      hostnames: z.array(z.string()).optional(),
    })
    .nullable(),
  /** The operation running or queued first, if any. */
  operation: OperationView.nullable(),
  ...Timestamps,
});
export type TenantView = z.infer<typeof TenantView>;

/** The start of a tenant id, as a search box sends it: what `q` narrows a listing to. */
export const TenantIdPrefix = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[a-z0-9-]+$/, "the start of a tenant id: lowercase letters, digits or hyphens");

export const ListTenantsQuery = z.strictObject({
  state: TenantState.optional(),
  plan: PlanName.optional(),
  /** Only the tenants whose id starts with this. */
  q: TenantIdPrefix.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListTenantsQuery = z.infer<typeof ListTenantsQuery>;

export const TenantList = z.object({ tenants: z.array(TenantView), cursor: z.string().nullable() });
export type TenantList = z.infer<typeof TenantList>;

/** Tenants one `GET /v1/metrics/requests` counts at most: a page of tenants, one query. */
export const MAX_COUNTED_TENANTS = 100;

export const RequestCountsQuery = z.strictObject({
  /** Comma-separated tenant ids. */
  tenants: z
    .string()
    .transform((list) => list.split(","))
    .pipe(
      z
        .array(TenantId)
        .min(1)
        .max(MAX_COUNTED_TENANTS, `at most ${MAX_COUNTED_TENANTS} tenants`)
        .refine((ids) => new Set(ids).size === ids.length, "a tenant is listed twice"),
    ),
  since: z.iso.datetime({ offset: true }),
  /** Now when absent. */
  until: z.iso.datetime({ offset: true }).optional(),
});
export type RequestCountsQuery = z.output<typeof RequestCountsQuery>;

/** Each tenant's requests through the dispatcher and errors among them, from `since` to `until`. */
export const RequestCountsView = z.object({
  since: z.iso.datetime(),
  until: z.iso.datetime(),
  /** Every tenant asked for, in the order asked; zeros for one without requests. */
  tenants: z.array(RequestCount.extend({ tenantId: z.string() })),
});
export type RequestCountsView = z.infer<typeof RequestCountsView>;

export const RolloutFilter = z.strictObject({
  plan: PlanName.optional(),
  /** Only these tenants. */
  tenants: z.array(z.string().regex(TENANT_ID)).min(1).max(10_000).optional(),
});

/**
 * How many of the selected tenants get the code first: a number (0: no
 * canary, the rollout goes through at once) or a percentage (rounded up, at
 * least one tenant). Without one: 10% of the selection, rounded up.
 */
export const CanarySize = z.union([
  z.strictObject({ tenants: z.number().int().min(0).max(10_000) }),
  z.strictObject({ percent: z.number().gt(0, "must be more than 0").max(100, "must be at most 100") }),
]);
export type CanarySize = z.infer<typeof CanarySize>;

export const DEFAULT_CANARY: CanarySize = { percent: 10 };

export const CreateRolloutRequest = z.strictObject({
  script: ScriptSource,
  filter: RolloutFilter.default({}),
  canary: CanarySize.default(DEFAULT_CANARY),
  /**
   * Go on after the canary without `POST /v1/rollouts/{id}/resume` once the
   * observation window shows the canary tenants' error rate did not rise.
   */
  autoResume: z.boolean().default(false),
});
export type CreateRolloutRequest = z.input<typeof CreateRolloutRequest>;

/**
 * `running` (deploying the canary, then the rest), `paused` (after the canary,
 * `paused` says why), `completed`, `failed` (the API refused the script),
 * `rolling_back`, `rolled_back`.
 */
export const RolloutState = z.enum(["running", "paused", "completed", "failed", "rolling_back", "rolled_back"]);
export type RolloutState = z.infer<typeof RolloutState>;

/** Which tenants the rollout is working on: the canary batch, the rest, or its rollback. */
export const RolloutPhase = z.enum(["canary", "fleet", "rollback"]);
export type RolloutPhase = z.infer<typeof RolloutPhase>;

/**
 * Why a rollout is paused: `awaiting_resume` (the canary is deployed; no
 * autoResume), `observing` (autoResume: the window runs until `until`),
 * `error_rate_rose`, `no_traffic` (the canary tenants had no requests in the
 * window: nothing to judge by), `canary_failed` (a canary tenant's deploy failed).
 */
export const PauseReason = z.enum(["awaiting_resume", "observing", "error_rate_rose", "no_traffic", "canary_failed"]);
export type PauseReason = z.infer<typeof PauseReason>;

const Traffic = z.object({
  requests: z.number().int().min(0),
  errors: z.number().int().min(0),
  /** errors / requests; null without requests. */
  rate: z.number().nullable(),
});

/** The canary tenants' requests and errors in the window before their deploy and the one after. */
export const CanaryHealthView = z.object({
  before: Traffic.extend({ from: z.iso.datetime(), to: z.iso.datetime() }),
  after: Traffic.extend({ from: z.iso.datetime(), to: z.iso.datetime() }),
  /** A rise is an `after` rate above the `before` rate (0 without requests) by more than this. */
  tolerance: z.number(),
  verdict: z.enum(["healthy", "error_rate_rose", "no_traffic"]),
  judgedAt: z.iso.datetime(),
});
export type CanaryHealthView = z.infer<typeof CanaryHealthView>;

const TenantFailure = z.object({ tenantId: z.string(), message: z.string() });

export const RolloutView = z.object({
  id: z.string(),
  state: RolloutState,
  phase: RolloutPhase,
  autoResume: z.boolean(),
  total: z.number().int(),
  succeeded: z.number().int(),
  failed: z.number().int(),
  /** Not deployed yet (waiting or under way). */
  pending: z.number().int(),
  /** The tenants whose upload failed for good, with why. */
  failures: z.array(TenantFailure),
  canary: z.object({
    /** How many tenants the canary batch has. */
    count: z.number().int(),
    /** Its tenant ids, in id order; the first 100 when it has more. */
    tenants: z.array(z.string()),
    succeeded: z.number().int(),
    failed: z.number().int(),
    pending: z.number().int(),
  }),
  /** Why the rollout waits; null unless `paused`. `until`: when the observation window ends. */
  paused: z.object({ reason: PauseReason, message: z.string(), until: z.iso.datetime().nullable() }).nullable(),
  /** The last judgement of the canary's error rate; null before one (no autoResume, or still observing). */
  health: CanaryHealthView.nullable(),
  /**
   * Once `POST /v1/rollouts/{id}/rollback` was asked: each tenant the rollout
   * submitted goes back to the version it had before (`succeeded`, `failed`,
   * `pending`); `skipped`: tenants the rollout never reached, left as they are.
   */
  rollback: z
    .object({
      succeeded: z.number().int(),
      failed: z.number().int(),
      pending: z.number().int(),
      skipped: z.number().int(),
      failures: z.array(TenantFailure),
    })
    .nullable(),
  ...Timestamps,
});
export type RolloutView = z.infer<typeof RolloutView>;

export const ListRolloutsQuery = z.strictObject({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListRolloutsQuery = z.infer<typeof ListRolloutsQuery>;

/** A rollout as a listing shows it: its state and counts (GET /v1/rollouts/{id} has the rest). */
export const RolloutSummary = RolloutView.pick({
  id: true,
  state: true,
  phase: true,
  autoResume: true,
  total: true,
  succeeded: true,
  failed: true,
  pending: true,
  createdAt: true,
  updatedAt: true,
}).extend({
  canary: RolloutView.shape.canary.omit({ tenants: true }),
  /** Why it waits; null unless `paused`. */
  paused: z.object({ reason: PauseReason, until: z.iso.datetime().nullable() }).nullable(),
});
export type RolloutSummary = z.infer<typeof RolloutSummary>;

export const RolloutList = z.object({ rollouts: z.array(RolloutSummary), cursor: z.string().nullable() });
export type RolloutList = z.infer<typeof RolloutList>;

/** `POST /v1/rollouts/{id}/resume` and `…/rollback`: a JSON body, `{}` (they take no options yet). */
/** The body of an action that takes no input: `{}`. */
export const EmptyRequest = z.strictObject({});
export type EmptyRequest = z.infer<typeof EmptyRequest>;

export const RolloutActionRequest = EmptyRequest;
export type RolloutActionRequest = z.infer<typeof RolloutActionRequest>;

/** Every error the API answers: one shape. */
export const ErrorCode = z.enum([
  "unauthorized",
  "invalid_request",
  "not_found",
  "conflict",
  "hostname_taken",
  "script_rejected",
  "payload_too_large",
  "method_not_allowed",
  "upstream_error",
  "internal_error",
  /** The live logs route was called without `Upgrade: websocket` (426). */
  "upgrade_required",
  /** The tail Worker, which keeps tenants' logs, failed or answered outside its contract (502). */
  "logs_unavailable",
  /** A deployment of a version whose secrets differ from the latest version's, without `force` (409). */
  "secrets_changed",
  /** A script's `assets.manifest` names files the platform does not hold: send them to POST /v1/assets first (400). */
  "assets_missing",
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

// ---------------------------------------------------------------------------
// Versions and deployments of a tenant's script.

/** A note on a version or deployment: what made it, in a line. */
export const VersionMessage = z.string().min(1).max(100);

/** One version in a deployment, and the share of requests it gets. */
export const DeploymentVersion = z.strictObject({
  id: VersionId,
  percentage: z.number().int().min(0).max(100),
});
export type DeploymentVersion = z.infer<typeof DeploymentVersion>;

/**
 * The versions a deployment sends traffic to: one or two distinct versions
 * whose percentages sum to 100, as the Cloudflare API takes them.
 */
export const DeploymentVersions = z
  .array(DeploymentVersion)
  .min(1, "a deployment names one or two versions")
  .max(2, "a deployment names one or two versions")
  .superRefine((versions, ctx) => {
    const sum = versions.reduce((total, version) => total + version.percentage, 0);
    if (sum !== 100) ctx.addIssue({ code: "custom", message: `the percentages sum to ${sum}, not 100` });
    if (versions.length === 2 && versions[0]?.id === versions[1]?.id) {
      ctx.addIssue({ code: "custom", path: [1, "id"], message: "the same version is named twice" });
    }
  });

export const CreateDeploymentRequest = z.strictObject({
  versions: DeploymentVersions,
  message: VersionMessage.optional(),
  /** Deploy even if the versions' secrets differ from the latest version's (the API's `force`). */
  force: z.boolean().default(false),
});
export type CreateDeploymentRequest = z.infer<typeof CreateDeploymentRequest>;

export const RollbackRequest = z.strictObject({
  /** The version to deploy at 100%; by default the one that had all the traffic before (during a split: before the split began). */
  versionId: VersionId.optional(),
  message: VersionMessage.optional(),
  force: z.boolean().default(false),
});
export type RollbackRequest = z.infer<typeof RollbackRequest>;

/** `PUT …/script`'s query: `deploy=false` uploads a version without sending it traffic. */
export const PutScriptQuery = z.strictObject({ deploy: z.enum(["true", "false"]).default("true") });
export type PutScriptQuery = z.infer<typeof PutScriptQuery>;

export const VersionView = z.object({
  id: VersionId,
  /** The tenant's count of versions: 1 for its first. */
  number: z.number().int().min(1),
  createdAt: z.iso.datetime(),
  message: z.string(),
  /** `api`, `cli`, `rollout:<id>` (what asked for it). */
  createdBy: z.string(),
  /** Its share of the tenant's traffic now: 0 when not in the active deployment. */
  percentage: z.number().int().min(0).max(100),
  /** Where it answers on its own (while it is in the active deployment; null otherwise). */
  previewUrl: z.string().nullable(),
});
export type VersionView = z.infer<typeof VersionView>;

export const ListVersionsQuery = z.strictObject({
  /** The `cursor` of the page before: versions older than it. */
  cursor: z
    .string()
    .regex(/^[1-9][0-9]{0,8}$/, "not a cursor this API gave")
    .optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export type ListVersionsQuery = z.infer<typeof ListVersionsQuery>;

/** Newest first; `cursor` for the next (older) page, null on the last. */
export const VersionList = z.object({ versions: z.array(VersionView), cursor: z.string().nullable() });
export type VersionList = z.infer<typeof VersionList>;

/**
 * `PUT …/script`'s body: the script, the new version's message, and its cron triggers
 * (absent: the tenant's stay as they are; `[]`: none).
 */
export const PutScriptRequest = z
  .strictObject({ ...scriptFields, crons: Crons.optional(), message: VersionMessage.optional() })
  .superRefine(checkScript);
export type PutScriptRequest = z.infer<typeof PutScriptRequest>;

/** Who asked for a version or deployment, as the registry records it. */
export const CreatedBy = z
  .string()
  .regex(/^(api|cli|console|rollout:[0-9a-f-]{36})$/, "api, cli, console or rollout:<id>");
