import { DurableObject } from "cloudflare:workers";
import type { PlanName } from "../../../platform/plans";
import type { ErrorCode } from "../../../platform/tenants-api";
import { cloudflareClientFromEnv } from "../cloudflare/client";
import { configOf, type Env } from "../env";
import {
  claimHostnames,
  giveUpHostnames,
  hostnameClaims,
  reclaimHostnames,
  takenHostnames,
} from "../registry/hostnames";
import { getOperation, insertOperation, nextOperation } from "../registry/operations";
import type { OperationError } from "../registry/rows";
import { getTenant, insertTenant, type NewTenant, updateTenant } from "../registry/tenants";
import { Mutex } from "./mutex";
import { requestedSettings, sameVars } from "./requested-settings";
import { type Advance, advance, type RunnerDeps } from "./runner";
import type { UpdateInput } from "./steps";
import { TenantSecrets } from "./tenant-secrets";

/** How a request to change a tenant came out. */
export type Submission =
  /** `replayed`: the same request came before; nothing new was recorded. `reupload`: an update that uploads the script again. */
  | { ok: true; operationId: string; replayed?: true; reupload?: boolean }
  | { ok: false; status: 404 | 409 | 422; code: ErrorCode; message: string };

export type CreateSubmission = {
  tenant: Omit<NewTenant, "secretNames">;
  hostnames: string[];
  secrets: Record<string, string>;
};

export type UpdateSubmission = {
  plan?: PlanName;
  hostnames?: string[];
  vars?: Record<string, string>;
  suspended?: boolean;
};

const notFound = (id: string): Submission => ({
  ok: false,
  status: 404,
  code: "not_found",
  message: `no tenant "${id}"`,
});
const conflict = (message: string): Submission => ({ ok: false, status: 409, code: "conflict", message });
const rejected = (error: OperationError): Submission => ({
  ok: false,
  status: 422,
  code: "script_rejected",
  message: `the Cloudflare API refused the script: ${error.message}`,
});

/**
 * One per tenant (named by its id): the only writer of the tenant's
 * operations, which it runs one at a time, in order, step by step. Requests
 * record an operation and return; the operations run from the alarm, which is
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

  get #db(): D1Database {
    return this.env.DB;
  }

  get #deps(): RunnerDeps {
    return {
      env: this.env,
      config: configOf(this.env),
      api: cloudflareClientFromEnv(this.env),
      secrets: new TenantSecrets(this.ctx.storage),
    };
  }

  async create(submission: CreateSubmission): Promise<Submission> {
    const id = submission.tenant.id;
    const outcome = await this.#submit(id, async () => {
      const existing = await getTenant(this.#db, id);
      if (existing !== null && existing.state !== "deleted") {
        if (existing.request_digest === submission.tenant.requestDigest) {
          const latest = await nextOperation(this.#db, id);
          return { ok: true, operationId: latest?.id ?? "", replayed: true };
        }
        return conflict(`tenant "${id}" exists with a different definition`);
      }
      const taken = await takenHostnames(this.#db, id, submission.hostnames);
      if (taken.length > 0) return hostnamesTaken(taken);
      const operationId = crypto.randomUUID();
      const secretNames = Object.keys(submission.secrets).sort();
      // The values first: once the operation is recorded it may run, and it must find them.
      const secrets = new TenantSecrets(this.ctx.storage);
      await secrets.put(submission.secrets);
      try {
        await this.#db.batch([
          // A deleted tenant's hostnames were released with it.
          insertTenant(this.#db, { ...submission.tenant, secretNames }),
          ...claimHostnames(this.#db, id, submission.hostnames),
          insertOperation(this.#db, {
            id: operationId,
            tenantId: id,
            kind: "provision",
            input: { scriptKey: submission.tenant.scriptKey },
          }),
        ]);
      } catch (error) {
        await secrets.forget(secretNames);
        // Another tenant claimed one of the hostnames since the check: the batch wrote nothing.
        const raced = await takenHostnames(this.#db, id, submission.hostnames);
        if (raced.length > 0) return hostnamesTaken(raced);
        throw error;
      }
      return { ok: true, operationId };
    });
    if (!outcome.ok || outcome.replayed) return outcome;
    if (submission.tenant.scriptKey === null) {
      await this.#wake();
      return outcome;
    }
    // Wait for the API's verdict on the script (the first step), so that code it refuses is this request's 422.
    return this.#awaitVerdict(outcome, (result) => result.kind !== "waiting");
  }

  async deploy(
    id: string,
    scriptKey: string,
    options: { wait: boolean; rolloutId?: string } = { wait: true },
  ): Promise<Submission> {
    const outcome = await this.#submit(id, async () => {
      const tenant = await getTenant(this.#db, id);
      if (tenant === null || tenant.state === "deleted") return notFound(id);
      if (!["provisioning", "active", "suspended"].includes(tenant.state)) {
        return conflict(
          `tenant "${id}" is ${tenant.state}: only a provisioning, active or suspended tenant takes new code`,
        );
      }
      return this.#enqueue(id, "deploy", { scriptKey }, options.rolloutId);
    });
    if (!outcome.ok || !options.wait) return outcome;
    // Wait (a while) for the upload, so that code the API refuses is this request's 422.
    return this.#awaitVerdict(outcome, (result) => result.kind === "finished" || result.kind === "waiting");
  }

  async update(id: string, change: UpdateSubmission): Promise<Submission> {
    const outcome = await this.#submit(id, async () => {
      const tenant = await getTenant(this.#db, id);
      if (tenant === null || tenant.state === "deleted") return notFound(id);
      if (!["provisioning", "active", "suspended"].includes(tenant.state)) {
        return conflict(`tenant "${id}" is ${tenant.state}: it cannot be changed`);
      }
      const clash = Object.keys(change.vars ?? {}).find((name) => tenant.secret_names.includes(name));
      if (clash !== undefined) return conflict(`"${clash}" is one of the tenant's secrets: a var cannot have its name`);
      const claims = await hostnameClaims(this.#db, id);
      const held = claims.filter((claim) => claim.state !== "removing").map((claim) => claim.hostname);
      const wanted = change.hostnames ?? held;
      const added = wanted.filter((hostname) => !claims.some((claim) => claim.hostname === hostname));
      const reclaimed = claims
        .filter((claim) => claim.state === "removing" && wanted.includes(claim.hostname))
        .map((claim) => claim.hostname);
      const removed = held.filter((hostname) => !wanted.includes(hostname));
      const taken = await takenHostnames(this.#db, id, added);
      if (taken.length > 0) return hostnamesTaken(taken);
      // Upload again when the plan or vars differ from what is live, or from
      // what an update still queued will make live.
      const requested = (await requestedSettings(this.#db, [id])).get(id) ?? {};
      const changesPlan = (plan: PlanName) => change.plan !== undefined && change.plan !== plan;
      const changesVars = (vars: Record<string, string>) => change.vars !== undefined && !sameVars(change.vars, vars);
      const reupload =
        changesPlan(tenant.plan) ||
        changesPlan(requested.plan ?? tenant.plan) ||
        changesVars(tenant.vars) ||
        changesVars(requested.vars ?? tenant.vars);
      const input: UpdateInput = {
        reupload,
        ...(change.plan === undefined ? {} : { plan: change.plan }),
        ...(change.vars === undefined ? {} : { vars: change.vars }),
        ...(change.suspended === undefined ? {} : { suspended: change.suspended }),
      };
      const operationId = crypto.randomUUID();
      try {
        // The registry records the claims; the plan, vars and suspension stay as they are live until the operation applies them.
        await this.#db.batch([
          ...giveUpHostnames(this.#db, id, removed),
          ...reclaimHostnames(this.#db, id, reclaimed),
          ...claimHostnames(this.#db, id, added),
          insertOperation(this.#db, { id: operationId, tenantId: id, kind: "update", input }),
        ]);
      } catch (error) {
        const raced = await takenHostnames(this.#db, id, added);
        if (raced.length > 0) return hostnamesTaken(raced);
        throw error;
      }
      return { ok: true, operationId, reupload };
    });
    if (!outcome.ok || !outcome.reupload) {
      if (outcome.ok) await this.#wake();
      return outcome;
    }
    // A new plan or vars go out with the script: wait (a while) for the upload, so that one the API refuses is this request's 422.
    const verdict = await this.#awaitVerdict(
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
    return this.#submit(id, async () => {
      const tenant = await getTenant(this.#db, id);
      if (tenant === null || tenant.state === "deleted") return notFound(id);
      if (!["provisioning", "active", "suspended"].includes(tenant.state)) {
        return conflict(`tenant "${id}" is ${tenant.state}: it takes no secrets`);
      }
      await new TenantSecrets(this.ctx.storage).put({ [name]: value });
      const names = [...new Set([...tenant.secret_names, name])].sort();
      await updateTenant(this.#db, id, { secretNames: names }).run();
      return this.#enqueue(id, "put_secret", { name });
    });
  }

  async deleteSecret(id: string, name: string): Promise<Submission> {
    return this.#submit(id, async () => {
      const tenant = await getTenant(this.#db, id);
      if (tenant === null || tenant.state === "deleted") return notFound(id);
      if (!tenant.secret_names.includes(name)) {
        return { ok: false, status: 404, code: "not_found", message: `tenant "${id}" has no secret "${name}"` };
      }
      await updateTenant(this.#db, id, { secretNames: tenant.secret_names.filter((n) => n !== name) }).run();
      return this.#enqueue(id, "delete_secret", { name });
    });
  }

  async remove(id: string): Promise<Submission> {
    return this.#submit(id, async () => {
      const tenant = await getTenant(this.#db, id);
      if (tenant === null || tenant.state === "deleted") return notFound(id);
      if (tenant.state === "deleting") {
        const pending = await nextOperation(this.#db, id);
        if (pending?.kind === "delete") return { ok: true, operationId: pending.id };
      }
      await updateTenant(this.#db, id, { state: "deleting" }).run();
      return this.#enqueue(id, "delete", {});
    });
  }

  override async alarm(): Promise<void> {
    const id = await this.ctx.storage.get<string>("tenant-id");
    if (id !== undefined) await this.#drain(id);
  }

  /** Runs a request's registry changes alone, after noting whose object this is (the alarm needs it). */
  async #submit(id: string, change: () => Promise<Submission>): Promise<Submission> {
    return this.#submitting.run(async () => {
      await this.ctx.storage.put("tenant-id", id);
      return change();
    });
  }

  async #enqueue(
    id: string,
    kind: "deploy" | "put_secret" | "delete_secret" | "delete",
    input: Record<string, unknown>,
    rolloutId?: string,
  ) {
    const operationId = crypto.randomUUID();
    await insertOperation(this.#db, { id: operationId, tenantId: id, kind, input, rolloutId }).run();
    await this.#wake();
    return { ok: true as const, operationId };
  }

  /** Work is waiting: make sure the alarm will run it, even if this object is gone by then. */
  async #wake(): Promise<void> {
    await this.ctx.storage.setAlarm(Date.now());
  }

  /**
   * Runs the queue here and now until `stop` says the request has its answer
   * (or SCRIPT_CHECK_WAIT_MS passes: then the alarm goes on, and the request
   * is answered 202 regardless). A refused script is the request's 422.
   */
  async #awaitVerdict(
    submitted: { ok: true; operationId: string },
    /** Called with each step of the submitted operation: true once the request has its answer. */
    stop: (result: Advance) => boolean,
  ): Promise<Submission> {
    await this.#wake();
    const id = (await this.ctx.storage.get<string>("tenant-id")) as string;
    let verdict: Submission = submitted;
    const run = this.#drain(id, (operationId, result) => {
      if (operationId !== submitted.operationId) return false;
      if (result.kind === "rejected") verdict = rejected(result.error);
      if (result.kind === "finished" && result.error?.code === "script_rejected") verdict = rejected(result.error);
      return result.kind === "rejected" || stop(result);
    });
    const waitMs = configOf(this.env).scriptCheckWaitMs;
    let timer: ReturnType<typeof setTimeout> | null = null;
    await Promise.race([run, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
    if (timer !== null) clearTimeout(timer);
    if (verdict.ok) {
      const operation = await getOperation(this.#db, submitted.operationId);
      if (operation?.state === "failed" && operation.error?.code === "script_rejected")
        return rejected(operation.error);
    }
    return verdict;
  }

  /** Runs the tenant's operations, oldest first, until none is left or one has to wait. */
  async #drain(id: string, stop?: (operationId: string, result: Advance) => boolean): Promise<void> {
    await this.#running.run(async () => {
      const deps = this.#deps;
      for (;;) {
        const operation = await nextOperation(this.#db, id);
        if (operation === null) {
          await this.ctx.storage.deleteAlarm();
          return;
        }
        const due = operation.next_attempt_at === null ? 0 : Date.parse(operation.next_attempt_at);
        if (due > Date.now()) {
          await this.ctx.storage.setAlarm(due);
          return;
        }
        const result = await advance(deps, operation);
        if (result.kind === "waiting") await this.ctx.storage.setAlarm(result.until);
        if (stop?.(operation.id, result)) {
          if (result.kind !== "waiting") await this.#wake();
          return;
        }
        if (result.kind === "waiting") return;
      }
    });
  }
}

function hostnamesTaken(hostnames: string[]): Submission {
  return {
    ok: false,
    status: 409,
    code: "hostname_taken",
    message: `already used by another tenant, or still being released by one: ${hostnames.join(", ")}`,
  };
}
