import { z } from "zod";
import { PlanName } from "../../../platform/plans";
import { TenantId } from "../../../platform/routes";
import {
  DeploymentVersion,
  ErrorSummary,
  OperationKind,
  OperationState,
  ResourceSelection,
  StepState,
  TenantState,
} from "../../../platform/tenants-api";

/**
 * The registry's rows as D1 returns them, parsed: the database is a boundary
 * too (a row written by an older version, or by hand, fails here by name).
 * A tenant's id comes out as the one `TenantId`, so no caller casts it.
 */
export const JsonText = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: "custom", message: "not JSON" });
        return z.NEVER;
      }
    })
    .pipe(schema);

export const OperationError = ErrorSummary;
export type OperationError = z.infer<typeof OperationError>;

export const TenantRow = z.object({
  id: TenantId,
  plan: PlanName,
  state: TenantState,
  request_digest: z.string(),
  wanted_resources: JsonText(ResourceSelection),
  kv_namespace_id: z.string().nullable(),
  r2_bucket_name: z.string().nullable(),
  d1_database_id: z.string().nullable(),
  script_name: z.string(),
  script_key: z.string().nullable(),
  script_etag: z.string().nullable(),
  script_uploaded_at: z.string().nullable(),
  compatibility_date: z.string(),
  vars: JsonText(z.record(z.string(), z.string())),
  secret_names: JsonText(z.array(z.string())),
  suspended: z.number().transform((n) => n === 1),
  last_error: JsonText(OperationError).nullable(),
  durable_object_bindings: JsonText(z.record(z.string(), z.string())),
  durable_object_classes: JsonText(z.array(z.string())),
  durable_object_tag: z.string().nullable(),
  /** The script's cron triggers as set on Cloudflare (`migrations/0007_crons.sql`). */
  crons: JsonText(z.array(z.string())),
  /** The live deployment: the versions serving the tenant's traffic, `[]` before its first bound upload. */
  deployment: JsonText(z.array(DeploymentVersion)),
  created_at: z.string(),
  updated_at: z.string(),
});
export type TenantRow = z.infer<typeof TenantRow>;

export const OperationPhase = z.enum(["forward", "rollback"]);
export type OperationPhase = z.infer<typeof OperationPhase>;

export const OperationRow = z.object({
  id: z.string(),
  tenant_id: TenantId,
  kind: OperationKind,
  state: OperationState,
  input: JsonText(z.record(z.string(), z.unknown())),
  phase: OperationPhase,
  step: z.string().nullable(),
  attempts: z.number().int(),
  next_attempt_at: z.string().nullable(),
  error: JsonText(OperationError).nullable(),
  rollout_id: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type OperationRow = z.infer<typeof OperationRow>;

export const StepRow = z.object({
  operation_id: z.string(),
  name: z.string(),
  state: StepState,
  attempts: z.number().int(),
  /** Its latest failure (kept after a retry succeeds). */
  error: JsonText(OperationError).nullable(),
  /** Null for a step recorded before `migrations/0009_operation_step_times.sql`. */
  started_at: z.string().nullable(),
  updated_at: z.string(),
});
export type StepRow = z.infer<typeof StepRow>;

export const now = (): string => new Date().toISOString();
