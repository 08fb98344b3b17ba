import { DurableObject, exports } from "cloudflare:workers";
import type { AccountId } from "../../../cloudflare-api/names";
import type { ScriptSettingsPatch, SecretInput, UploadResult } from "../../../cloudflare-api/script-metadata";
import type { DeploymentInput, VersionCreateResult } from "../../../cloudflare-api/versions";
import { inTurns } from "../../../platform/turns";
import type { Exports } from "../bindings/kind";
import { type DeployedAnswer, forgetAllDeployed, forgetDeployed, isolateToken } from "../dispatch/deployed-cache";
import { runScheduled } from "../dispatch/scheduled";
import type { StartedVersion } from "../dispatch/startup-check";
import { purgeObjects, redeployObjects } from "../durable-objects/purge";
import type { Env } from "../env";
import type { ModuleUpload } from "./modules";
import { uploadResult } from "./script-record";
import { adoptUnversionedScripts } from "./store/adopt-versions";
import { commitDraft } from "./store/commit";
import type { StoreContext } from "./store/context";
import * as deployments from "./store/deployments";
import * as namespaces from "./store/namespaces";
import { nextAlarm, takeDue } from "./store/schedule-times";
import * as schedules from "./store/schedules";
import { createTables } from "./store/schema";
import * as scripts from "./store/scripts";
import * as secrets from "./store/secrets";
import * as settings from "./store/settings";
import { StagedBodies } from "./store/staged-bodies";
import * as tags from "./store/tags";
import { type ContentRequest, draftContent, draftUpload, type UploadRequest } from "./store/uploads";
import type { VersionDraft } from "./store/version-draft";
import * as versions from "./store/versions";
import type { TagFilter } from "./tag-filter";
import { versionDetail } from "./version-answers";
import type { VersionChoice } from "./version-choice";

/** A committed version as an upload answers it, and as a version upload does. */
export interface CommittedAnswers {
  script: UploadResult;
  version: VersionCreateResult;
}

/**
 * Runs a change to what `script` of `namespace` runs (null: every script of the namespace), then has
 * the dispatch path forget the script (dispatch/deployed-cache.ts), whether the change succeeded or
 * not, so the first request after its answer runs what it made.
 */
async function changing<T>(namespace: string, script: string | null, change: () => T | Promise<T>): Promise<T> {
  try {
    return await change();
  } finally {
    forgetDeployed(namespace, script);
  }
}

/**
 * One account's Workers for Platforms state (one object per account):
 * dispatch namespaces, their scripts and tags. Each method hands its work to
 * the part of `store/` that owns it.
 *
 * Changes that await (R2, another Durable Object) run one at a time through
 * `exclusive`, so that none interleaves with another. An upload is the
 * exception by design: its startup check runs a Worker outside the store, so
 * the store only drafts the version (`draftUpload`, `draftContent`: no write)
 * and later commits it (`commitVersion`, in the queue), refusing a draft made
 * from a script that has changed meanwhile; `scripts/upload-flow.ts` then
 * drafts again. Nothing is stored for a draft; a commit writes its module bodies to R2 before it
 * enters the queue (store/staged-bodies.ts) and deletes them if it is refused, unless another
 * upload of the same version needs them.
 *
 * The dispatch path keeps what each script runs (dispatch/deployed-cache.ts): every change to what a
 * script runs (a version committed, a deployment, settings, secrets, a delete, a namespace deleted)
 * goes through `changing`, which has it forgotten there once the change is written, before it answers.
 */
export class WorkersStore extends DurableObject<Env> {
  private readonly context: StoreContext;
  /** Runs changes one after another, so a change awaiting R2 never interleaves with another. */
  private readonly exclusive = inTurns(1, { mayVanish: false });
  /** Uploads' module bodies written ahead of their commits (store/staged-bodies.ts). */
  private readonly bodies = new StagedBodies();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    createTables(sql);
    const context: StoreContext = {
      sql,
      env,
      transaction: (work) => ctx.storage.transactionSync(work),
      secretKey: secrets.accountSecretKey(sql),
      objectsGone: (scope, namespaces) =>
        ctx.waitUntil(
          purgeObjects(env, scope, namespaces).catch((error) =>
            console.warn(`deleting the Durable Objects of ${scope.script} failed:`, String(error)),
          ),
        ),
      objectsRedeployed: (scope) =>
        redeployObjects(env, scope).catch((error) =>
          console.warn(`telling the Durable Objects of ${scope.script} of a deployment failed:`, String(error)),
        ),
    };
    adoptUnversionedScripts(context);
    this.context = context;
    // Adoption may have rewritten rows the dispatch path keeps.
    forgetAllDeployed();
  }

  // Dispatch namespaces.
  createNamespace(accountId: string, name: string) {
    return changing(name, null, () => namespaces.createNamespace(this.context, accountId, name));
  }
  listNamespaces() {
    return namespaces.listNamespaces(this.context);
  }
  getNamespace(name: string) {
    return namespaces.getNamespace(this.context, name);
  }
  deleteNamespace(accountId: string, name: string) {
    return changing(name, null, () => this.exclusive(() => namespaces.deleteNamespace(this.context, accountId, name)));
  }

  // Uploads: draft, (the caller's startup check), commit.
  draftUpload(accountId: string, request: UploadRequest) {
    return draftUpload(this.context, accountId, request);
  }
  draftContent(accountId: string, request: ContentRequest) {
    return draftContent(this.context, accountId, request);
  }
  /**
   * The answers for the committed version (an upload's, a version upload's), or null when the
   * script changed since the draft: draft again.
   */
  commitVersion(
    draft: VersionDraft,
    uploaded: ModuleUpload[],
    started: StartedVersion,
  ): Promise<CommittedAnswers | null> {
    const { namespace, name } = draft.record;
    return changing(namespace, name, async () => {
      // Written before the queue, so that one upload's R2 writes hold up no other's commit.
      const staging = await this.bodies.stage(this.context, draft.record, uploaded);
      try {
        return await this.exclusive(async () => {
          const committed = await commitDraft(this.context, draft, uploaded, started.handlers, staging.written).catch(
            async (error: unknown) => {
              await staging.discard();
              throw error;
            },
          );
          if (committed === null) {
            await staging.discard();
            return null;
          }
          return {
            script: { ...uploadResult(committed.record, started.startupMs), deployment_id: committed.version.id },
            version: { ...versionDetail(committed.version), startup_time_ms: started.startupMs },
          };
        });
      } finally {
        staging.release();
      }
    });
  }

  // Versions and deployments.
  listVersions(namespace: string, script: string, query: versions.VersionListQuery) {
    return versions.listVersions(this.context, namespace, script, query);
  }
  getVersion(namespace: string, script: string, id: string) {
    return versions.getVersion(this.context, namespace, script, id);
  }
  createDeployment(accountId: string, namespace: string, script: string, input: DeploymentInput, force: boolean) {
    return changing(namespace, script, () =>
      this.exclusive(() => deployments.createDeployment(this.context, accountId, { namespace, script }, input, force)),
    );
  }
  listDeployments(namespace: string, script: string) {
    return deployments.listDeployments(this.context, namespace, script);
  }
  getDeployment(namespace: string, script: string, id: string) {
    return deployments.getDeployment(this.context, namespace, script, id);
  }
  deleteDeployment(namespace: string, script: string, id: string) {
    return changing(namespace, script, () =>
      this.exclusive(async () => deployments.deleteDeployment(this.context, namespace, script, id)),
    );
  }

  // Scripts.
  getScript(namespace: string, script: string) {
    return scripts.getScript(this.context, namespace, script);
  }
  listScripts(namespace: string, query: scripts.ScriptListQuery) {
    return scripts.listScripts(this.context, namespace, query);
  }
  deleteScript(accountId: string, namespace: string, script: string) {
    return changing(namespace, script, () =>
      this.exclusive(() => scripts.deleteScript(this.context, accountId, namespace, script)),
    );
  }
  deleteScripts(accountId: string, namespace: string, filter: TagFilter | null, limit: number) {
    return changing(namespace, null, () =>
      this.exclusive(() => scripts.deleteScripts(this.context, accountId, namespace, filter, limit)),
    );
  }
  getContent(namespace: string, script: string) {
    return scripts.getContent(this.context, namespace, script);
  }
  /** For the emulator's own dispatcher: what the script's requests run, and which isolate answers (deployed-cache.ts). */
  deployedScript(namespace: string, script: string): DeployedAnswer {
    return { deployed: scripts.deployedScript(this.context, namespace, script), isolate: isolateToken() };
  }
  /** The version one request runs. */
  chooseRunnable(namespace: string, script: string, choice: VersionChoice) {
    return scripts.chooseRunnable(this.context, namespace, script, choice);
  }
  /** One version's code (a runner loading the version a request was given, an object's host its object's). */
  getRunnableScript(namespace: string, script: string, versionId?: string) {
    return scripts.getRunnableScript(this.context, namespace, script, versionId);
  }
  /** For the host of the script's Durable Objects: which versions its objects run. */
  getObjectsDeployment(namespace: string, script: string) {
    return scripts.getObjectsDeployment(this.context, namespace, script);
  }

  // Bindings and settings.
  getBindings(namespace: string, script: string) {
    return settings.getBindings(this.context, namespace, script);
  }
  getSettings(namespace: string, script: string) {
    return settings.getSettings(this.context, namespace, script);
  }
  patchSettings(accountId: string, namespace: string, script: string, patch: ScriptSettingsPatch) {
    return changing(namespace, script, () =>
      this.exclusive(() => settings.patchSettings(this.context, accountId, namespace, script, patch)),
    );
  }

  // Tags.
  getTags(namespace: string, script: string) {
    return tags.getTags(this.context, namespace, script);
  }
  putTags(namespace: string, script: string, list: string[]) {
    return tags.putTags(this.context, namespace, script, list);
  }
  addTag(namespace: string, script: string, tag: string) {
    return tags.addTag(this.context, namespace, script, tag);
  }
  removeTag(namespace: string, script: string, tag: string) {
    return tags.removeTag(this.context, namespace, script, tag);
  }

  // Cron Triggers.
  getSchedules(namespace: string, script: string) {
    return schedules.getSchedules(this.context, namespace, script);
  }
  async putSchedules(accountId: string, namespace: string, script: string, crons: readonly string[]) {
    const result = schedules.putSchedules(this.context, accountId, namespace, script, crons);
    if (result.ok) await this.armScheduleAlarm();
    return result;
  }

  /** Sets the one alarm for the account's next due trigger, or clears it when none is ever due. */
  private async armScheduleAlarm(): Promise<void> {
    const next = nextAlarm(this.context);
    if (next === null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
  }

  /**
   * Runs the triggers that are due, each script's `scheduled()` through the dispatch path
   * (dispatch/scheduled.ts), after arming the alarm for the next ones: a slow handler delays no
   * other trigger. A trigger whose script was deleted meanwhile, or whose handler fails, is logged
   * and not retried (production retries nothing either).
   */
  override async alarm(): Promise<void> {
    const due = takeDue(this.context, Date.now());
    await this.armScheduleAlarm();
    await Promise.all(
      due.map(async ({ accountId, namespace, script, cron, scheduledTime }) => {
        const scope = { accountId: accountId as AccountId, namespace, script };
        try {
          const { outcome } = await runScheduled(this.env, exports as unknown as Exports, scope, {
            cron,
            scheduledTime,
          });
          if (outcome !== "ok") console.warn(`the Cron Trigger '${cron}' of ${script} ended with ${outcome}`);
        } catch (error) {
          console.warn(`the Cron Trigger '${cron}' of ${script} did not run:`, String(error));
        }
      }),
    );
  }

  // Secrets.
  listSecrets(namespace: string, script: string) {
    return secrets.listSecrets(this.context, namespace, script);
  }
  getSecret(namespace: string, script: string, name: string) {
    return secrets.getSecret(this.context, namespace, script, name);
  }
  putSecret(accountId: string, namespace: string, script: string, secret: SecretInput) {
    return changing(namespace, script, () =>
      this.exclusive(() => secrets.putSecret(this.context, accountId, namespace, script, secret)),
    );
  }
  deleteSecret(accountId: string, namespace: string, script: string, name: string) {
    return changing(namespace, script, () =>
      this.exclusive(() => secrets.deleteSecret(this.context, accountId, namespace, script, name)),
    );
  }
}
