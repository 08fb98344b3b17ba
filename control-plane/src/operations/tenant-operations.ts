import { DurableObject } from "cloudflare:workers";
import { cloudflareClientFromEnv } from "../cloudflare/client";
import { configOf } from "../config";
import { type CheckAgainResult, checkAgain } from "../custom-hostnames/check-again";
import { checkPendingHostnames } from "../custom-hostnames/checker";
import type { Env } from "../env";
import { readNextWork } from "../registry/next-work";
import { getOperation } from "../registry/operations";
import {
  type CreateOutcome,
  type CreateSubmission,
  rejected,
  type Submission,
  type UpdateSubmission,
} from "./admission";
import { AppliedD1Migrations } from "./applied-d1-migrations";
import { refusalOf } from "./deployment-admission";
import {
  takeCreate,
  takeDeleteSecret,
  takeDeploy,
  takeDeployment,
  takePutSecret,
  takeRemove,
  takeRollback,
  takeUpdate,
} from "./intake";
import { Mutex } from "./mutex";
import { type Advance, advance, type RunnerDeps } from "./runner";
import { TenantSecrets } from "./tenant-secrets";
import type { VersionNote } from "./version-notes";
import type { DeploymentInput } from "./version-steps";
import { WorkPriority } from "./work-priority";

/**
 * One per tenant (named by its id): the only writer of the tenant's
 * operations, which it runs one at a time, in order, step by step. Requests
 * are taken one at a time (`intake.ts`: admitted or refused by `admission.ts`,
 * recorded as an operation) and return; the operations run from the alarm, which is
 * set whenever work is waiting, so they resume after a failure's backoff, an
 * eviction, or a restart of the whole runtime. (Cloudflare Workflows would
 * be the natural fit, but locally a Workflow instance does not resume after
 * the runtime restarts, and it cannot keep one tenant's operations in order.)
 */
export class TenantOperations extends DurableObject<Env> {
  /** Requests change the registry one at a time. */
  readonly #submitting = new Mutex();
  /** Steps run one at a time. */
  readonly #running = new Mutex();
  /** Where the object's API calls stand in the shared budget's line. */
  readonly #priority = new WorkPriority();

  get #db(): D1Database {
    return this.env.DB;
  }

  get #deps(): RunnerDeps {
    const config = configOf(this.env);
    return {
      env: this.env,
      config,
      api: cloudflareClientFromEnv(this.env, config.cloudflareClient, this.#priority.source),
      secrets: new TenantSecrets(this.ctx.storage),
      d1Migrations: new AppliedD1Migrations(this.ctx.storage),
      stepsAfter: this.#priority.stepsAfter,
    };
  }

  /**
   * Records the tenant and its provisioning. With a script, the provisioning's first step is the
   * API's check of it, whose verdict the request then waits for with `verdict`, so that code the API
   * refuses is its 422; should that call never come, the alarm runs the step after
   * SCRIPT_CHECK_WAIT_MS all the same. Code the API accepted lately has its check recorded done
   * (`scriptAccepted`): there is no verdict to wait for, and the alarm starts the rest now.
   */
  async create(submission: CreateSubmission): Promise<CreateOutcome> {
    const outcome = await this.#submit(() =>
      takeCreate(this.#db, configOf(this.env), new TenantSecrets(this.ctx.storage), submission),
    );
    if (!outcome.ok || outcome.replayed) return outcome;
    const id = submission.tenant.id;
    if (submission.tenant.scriptKey === null || submission.scriptAccepted === true) await this.#wake(id);
    else await this.#wake(id, Date.now() + configOf(this.env).scriptCheckWaitMs);
    return outcome;
  }

  /** Runs a created tenant's provisioning until the API's verdict on its script (the first step): a refusal is the request's 422. */
  async verdict(created: { ok: true; operationId: string }): Promise<Submission> {
    // `create` noted it.
    const id = (await this.ctx.storage.get<string>("tenant-id")) as string;
    return this.#awaitVerdict(id, created, (result) => result.kind !== "waiting");
  }

  /**
   * New code, deployed; or (`deploy: false`) uploaded as a version staged at 0% beside the live one.
   * `crons`: the script's cron triggers from now on (absent: as they are).
   */
  async deploy(
    id: string,
    scriptKey: string,
    options: { wait: boolean; rolloutId?: string; deploy?: boolean; crons?: string[] } & VersionNote = { wait: true },
  ): Promise<Submission> {
    const { wait, deploy = true, ...rest } = options;
    return this.#settled(id, await this.#submit(() => takeDeploy(this.#db, id, { scriptKey, deploy, ...rest })), wait);
  }

  /** A deployment of versions the tenant has (one or two, summing to 100%). */
  async deployVersions(
    id: string,
    request: DeploymentInput & { wait: boolean; rolloutId?: string },
  ): Promise<Submission> {
    const { wait, ...rest } = request;
    return this.#settled(id, await this.#submit(() => takeDeployment(this.#db, id, rest)), wait);
  }

  /**
   * Deploys one version at 100%: `versionId`, or by default the one that led
   * the deployment before the current one. `force`: even if its secrets differ
   * from the latest version's. A rollout passes its id (the version is noted
   * as the rollout's).
   */
  async rollback(
    id: string,
    options: { versionId?: string; force?: boolean; wait: boolean; rolloutId?: string } & VersionNote,
  ): Promise<Submission> {
    const { wait, force = false, ...rest } = options;
    return this.#settled(id, await this.#submit(() => takeRollback(this.#db, id, { ...rest, force })), wait);
  }

  async update(id: string, change: UpdateSubmission): Promise<Submission> {
    const outcome = await this.#submit(() => takeUpdate(this.#db, id, change));
    if (!outcome.ok || !outcome.reupload) {
      if (outcome.ok) await this.#wake(id);
      return outcome;
    }
    // A new plan or vars go out with the script: wait (a while) for the upload, so that one the API refuses is this request's 422.
    const verdict = await this.#awaitVerdict(
      id,
      outcome,
      (result) => result.kind === "finished" || result.kind === "waiting",
    );
    if (verdict.ok) return verdict;
    return {
      ...verdict,
      message: `${verdict.message} (the plan and vars stay as they were; a change of hostnames or suspension was applied)`,
    };
  }

  async putSecret(id: string, name: string, value: string): Promise<Submission> {
    return this.#queued(
      id,
      await this.#submit(() => takePutSecret(this.#db, new TenantSecrets(this.ctx.storage), id, name, value)),
    );
  }

  async deleteSecret(id: string, name: string): Promise<Submission> {
    return this.#queued(id, await this.#submit(() => takeDeleteSecret(this.#db, id, name)));
  }

  async remove(id: string): Promise<Submission> {
    return this.#queued(id, await this.#submit(() => takeRemove(this.#db, id)));
  }

  /** One of the tenant's own domains validated again now, its checks started over (never beside a step). */
  async checkHostnameAgain(id: string, hostname: string): Promise<CheckAgainResult> {
    const result = await this.#priority.awaited(this.#running.run(() => checkAgain(this.#deps, id, hostname)));
    // The checker reads it again on its new schedule (or stops, if it went live).
    if (result.ok) await this.#wake(id);
    return result;
  }

  override async alarm(): Promise<void> {
    const id = await this.ctx.storage.get<string>("tenant-id");
    if (id !== undefined) await this.#drain(id);
  }

  /** Runs a request's registry changes alone. */
  async #submit<T extends Submission>(change: () => Promise<T>): Promise<T> {
    return this.#submitting.run(change);
  }

  /**
   * A change that uploads or deploys: run it, and (`wait`) wait a while for the
   * API's verdict, so that code it refuses is the request's 422 and a
   * deployment it refuses the request's 409.
   */
  async #settled(id: string, outcome: Submission, wait: boolean): Promise<Submission> {
    if (!outcome.ok) return outcome;
    await this.#wake(id);
    if (!wait) return outcome;
    return this.#awaitVerdict(id, outcome, (result) => result.kind === "finished" || result.kind === "waiting");
  }

  /** A new operation was recorded: run it. */
  async #queued(id: string, outcome: Submission): Promise<Submission> {
    if (outcome.ok && !outcome.replayed) await this.#wake(id);
    return outcome;
  }

  /**
   * Work is waiting: make sure the alarm will run it (`at`, by default now), even if this object
   * is gone by then, noting whose object this is, which the alarm needs. Both writes are made in
   * one turn, so the object's storage commits them together: one write to disk, not two.
   */
  async #wake(id: string, at = Date.now()): Promise<void> {
    await Promise.all([this.ctx.storage.put("tenant-id", id), this.ctx.storage.setAlarm(at)]);
  }

  /**
   * Runs the queue here and now until `stop` says the request has its answer
   * (or SCRIPT_CHECK_WAIT_MS passes: then the alarm goes on, and the request
   * is answered 202 regardless). A refused script is the request's 422.
   */
  async #awaitVerdict(
    id: string,
    submitted: { ok: true; operationId: string },
    /** Called with each step of the submitted operation: true once the request has its answer. */
    stop: (result: Advance) => boolean,
  ): Promise<Submission> {
    await this.#wake(id);
    let verdict: Submission = submitted;
    /** This drain saw the step that answers the request: `verdict` is the answer. */
    let answered = false;
    const run = this.#drain(id, (operationId, result) => {
      if (operationId !== submitted.operationId) return false;
      if (result.kind === "rejected") verdict = rejected(result.error);
      if (result.kind === "finished" && result.state === "failed" && result.error !== null) {
        verdict = refusalOf(result.error) ?? verdict;
      }
      answered = result.kind === "rejected" || stop(result);
      return answered;
    });
    const waitMs = configOf(this.env).scriptCheckWaitMs;
    let timer: ReturnType<typeof setTimeout> | null = null;
    // The request waits on the object's steps until then: their calls go ahead of background ones.
    await this.#priority.awaited(Promise.race([run, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]));
    if (timer !== null) clearTimeout(timer);
    // Else the operation may have ended in another run (the alarm's), or not yet: the registry says how.
    if (verdict.ok && !answered) {
      const operation = await getOperation(this.#db, submitted.operationId);
      const refusal = operation?.state === "failed" && operation.error !== null ? refusalOf(operation.error) : null;
      if (refusal !== null) return refusal;
    }
    return verdict;
  }

  /** Runs the tenant's operations, oldest first, until none is left or one has to wait. */
  async #drain(id: string, stop?: (operationId: string, result: Advance) => boolean): Promise<void> {
    await this.#running.run(async () => {
      const deps = this.#deps;
      let work = await readNextWork(this.#db, id);
      for (;;) {
        if (work === null) {
          // Nothing queued: the tenant's pending custom hostnames are read again, on their own backoff.
          const nextCheck = await checkPendingHostnames(deps, id);
          if (nextCheck === null) await this.ctx.storage.deleteAlarm();
          else await this.ctx.storage.setAlarm(nextCheck);
          return;
        }
        const current = work;
        const { operation } = current;
        const due = operation.next_attempt_at === null ? 0 : Date.parse(operation.next_attempt_at);
        if (due > Date.now()) {
          await this.ctx.storage.setAlarm(due);
          return;
        }
        const result = await this.#priority.within(operation, () => advance(deps, current));
        if (result.kind === "waiting") await this.ctx.storage.setAlarm(result.until);
        if (stop?.(operation.id, result)) {
          if (result.kind !== "waiting") await this.#wake(id);
          return;
        }
        if (result.kind === "waiting") return;
        work = result.kind === "stepped" && result.next !== undefined ? result.next : await readNextWork(this.#db, id);
      }
    });
  }
}
