import type { CloudflareClient } from "../cloudflare/client";
import { tenantResourceNames } from "../cloudflare/names";
import type { Config } from "../config";
import type { Env } from "../env";
import { type NextWork, nextWorkOf, nextWorkSelects } from "../registry/next-work";
import { recordStep, updateOperation } from "../registry/operations";
import type { OperationError } from "../registry/rows";
import { updateTenant } from "../registry/tenants";
import type { AppliedD1Migrations } from "./applied-d1-migrations";
import { backoffMs, type Failure, failureOf, SCRIPT_REJECTED } from "./failures";
import { purgeTenant } from "./purge";
import { recordedStepName, stepsOf } from "./step-order";
import { checkScript } from "./steps";
import type { TenantSecrets } from "./tenant-secrets";

/** What running one step of an operation came to. */
export type Advance =
  /** `next`: the tenant's next work, read in the batch that recorded the step (absent: not read). */
  | { kind: "stepped"; step: string; next?: NextWork | null }
  | { kind: "waiting"; until: number }
  | { kind: "finished"; state: "succeeded" | "failed"; error: OperationError | null }
  /** The API refused a new tenant's script: the tenant is gone, as if never asked for. */
  | { kind: "rejected"; error: OperationError };

export type RunnerDeps = {
  readonly env: Env;
  readonly config: Config;
  readonly api: CloudflareClient;
  readonly secrets: TenantSecrets;
  readonly d1Migrations: AppliedD1Migrations;
  /** Told, before a step runs, how many steps that call the API its operation has after it (the API budget's claims: work-priority.ts). */
  readonly stepsAfter?: (later: number) => void;
};

/** A teardown must finish, so it gets more attempts than a forward step (at the backoff's cap, minutes each). */
const TEARDOWN_ATTEMPTS_FACTOR = 4;

/** Runs the next step of `work.operation` (the registry as `readNextWork` read it), and records what came of it. */
export async function advance(deps: RunnerDeps, work: NextWork): Promise<Advance> {
  const { env, config } = deps;
  const db = env.DB;
  const { operation, tenant, done } = work;
  if (tenant === null) {
    const error = {
      code: "internal_error",
      message: "the tenant is not in the registry",
      at: new Date().toISOString(),
    };
    await updateOperation(db, operation.id, { state: "failed", error }).run();
    return { kind: "finished", state: "failed", error };
  }
  // A tenant that failed or was deleted takes no more changes: what was queued behind that is dropped,
  // or a deploy queued behind a failed provisioning would upload a script nobody will remove.
  if (
    (tenant.state === "failed" || tenant.state === "deleted") &&
    operation.kind !== "delete" &&
    operation.state === "queued"
  ) {
    const error = {
      code: "cancelled",
      message: `not run: the tenant is ${tenant.state}`,
      at: new Date().toISOString(),
    };
    await updateOperation(db, operation.id, { state: "failed", error }).run();
    return { kind: "finished", state: "failed", error };
  }
  const steps = stepsOf(operation, tenant);
  const step = steps.find((candidate) => !done.has(recordedStepName(operation, candidate)));
  if (step === undefined) {
    const state = operation.phase === "rollback" ? "failed" : "succeeded";
    await updateOperation(db, operation.id, { state, step: null, nextAttemptAt: null }).run();
    return { kind: "finished", state, error: operation.error };
  }

  const name = recordedStepName(operation, step);
  const later = steps.slice(steps.indexOf(step) + 1);
  deps.stepsAfter?.(later.filter((next) => next.callsApi && !done.has(recordedStepName(operation, next))).length);
  await db.batch([
    updateOperation(db, operation.id, { state: "running", step: name }),
    recordStep(db, operation.id, name, "running"),
  ]);
  try {
    await step.run({
      env,
      config,
      api: deps.api,
      tenant,
      operation,
      names: tenantResourceNames(tenant.id),
      secrets: deps.secrets,
      d1Migrations: deps.d1Migrations,
    });
    const recorded = [
      recordStep(db, operation.id, name, "succeeded"),
      updateOperation(db, operation.id, { attempts: 0, nextAttemptAt: null }),
    ];
    // The next step's read rides on this record: one round trip to D1 fewer per step.
    const results = await db.batch([...recorded, ...nextWorkSelects(db, tenant.id)]);
    return { kind: "stepped", step: name, next: nextWorkOf(results.slice(recorded.length)) };
  } catch (thrown) {
    const failure = await scrubbed(failureOf(thrown), deps.secrets);
    const attempts = operation.attempts + 1;
    const allowed =
      config.retry.maxAttempts *
      (operation.phase === "rollback" || operation.kind === "delete" ? TEARDOWN_ATTEMPTS_FACTOR : 1);
    await recordStep(db, operation.id, name, "failed", failure.error).run();

    if (failure.retryable && attempts < allowed) {
      const until = Date.now() + backoffMs(attempts, config.retry, failure.retryAfterMs);
      await updateOperation(db, operation.id, {
        attempts,
        nextAttemptAt: new Date(until).toISOString(),
        error: failure.error,
      }).run();
      return { kind: "waiting", until };
    }

    if (operation.kind === "provision" && operation.phase === "forward") {
      if (step === checkScript && failure.error.code === SCRIPT_REJECTED) {
        await purgeTenant(deps, tenant.id);
        return { kind: "rejected", error: failure.error };
      }
      // Undo what this provisioning created; the tenant ends `failed`.
      await db.batch([
        updateOperation(db, operation.id, {
          phase: "rollback",
          attempts: 0,
          nextAttemptAt: null,
          error: failure.error,
        }),
        updateTenant(db, tenant.id, { lastError: failure.error }),
      ]);
      return { kind: "stepped", step: name };
    }

    await db.batch([
      updateOperation(db, operation.id, { state: "failed", attempts, nextAttemptAt: null, error: failure.error }),
      updateTenant(db, tenant.id, {
        lastError: failure.error,
        // A teardown that could not finish: DELETE again to resume it.
        ...(operation.kind === "delete" || operation.phase === "rollback" ? { state: "failed" as const } : {}),
      }),
    ]);
    return { kind: "finished", state: "failed", error: failure.error };
  }
}

/**
 * The failure with every value of the tenant's secrets taken out of its
 * message: an API error can quote what the script did with one (a startup
 * that throws `env.SECRET`), and this message is returned, stored and shown.
 */
async function scrubbed(failure: Failure, secrets: TenantSecrets): Promise<Failure> {
  return { ...failure, error: { ...failure.error, message: await secrets.scrub(failure.error.message) } };
}
