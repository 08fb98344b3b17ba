import type { CloudflareClient } from "../cloudflare/client";
import type { TenantResourceNames } from "../cloudflare/names";
import type { Config } from "../config";
import type { Env } from "../env";
import type { OperationRow, TenantRow } from "../registry/rows";
import type { AppliedD1Migrations } from "./applied-d1-migrations";
import type { TenantSecrets } from "./tenant-secrets";

/** What a step works with. `tenant` is read afresh before each step. */
export type StepContext = {
  readonly env: Env;
  readonly config: Config;
  readonly api: CloudflareClient;
  readonly tenant: TenantRow;
  readonly operation: OperationRow;
  readonly names: TenantResourceNames;
  readonly secrets: TenantSecrets;
  /** The D1 migrations applied to the tenant's database, as this object recorded them. */
  readonly d1Migrations: AppliedD1Migrations;
};

/**
 * One idempotent unit of an operation: run again after a crash or a failure,
 * it finds what an earlier attempt did and finishes the job.
 */
export type Step = {
  readonly name: string;
  /**
   * Whether a run may call the Cloudflare API (one call, mostly; none when
   * it has nothing to do). The API budget holds a slot for each such step an
   * operation has left (cloudflare/claims.ts); a registry-only step none.
   */
  readonly callsApi: boolean;
  run(context: StepContext): Promise<void>;
};
