import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { Schedules, type SchedulesInput } from "../../../cloudflare-api/schedules";
import { UploadResult } from "../../../cloudflare-api/script-metadata";
import { VersionId } from "../../../platform/routes";
import { deleteIfPresent } from "./delete-if-present";
import { isApiError } from "./errors";
import type { CloudflareApi } from "./transport";
import { type ScriptSettingsInput, type ScriptUpload, scriptSettingsForm, scriptUploadForm } from "./upload-body";

/**
 * A tenant's script in the dispatch namespace. The upload and the settings
 * PATCH are whole-state writes (PUT/PATCH of the full version), so they are
 * retried like any idempotent call. A script the API refuses (10021, its
 * message says why) comes out as a CloudflareApiError with that code.
 */

const scriptPath = (namespace: string, script: string, rest = "") =>
  `/workers/dispatch/namespaces/${encodeURIComponent(namespace)}/scripts/${encodeURIComponent(script)}${rest}`;

/**
 * The codes a script upload is refused with for what it contains (not for how
 * it was sent): 10021 (validation), 10061 (a Durable Object binding to a class
 * the main module does not export, or that no migration created).
 */
export const SCRIPT_REJECTED_CODES: readonly number[] = [
  ErrorCode.scriptValidationFailed,
  ErrorCode.objectClassUnbindable,
];

export interface UploadedScript {
  readonly etag: string;
  readonly modifiedOn: string;
  /** The version the upload made, and deployed to 100%; null when the answer does not say (read it back). */
  readonly versionId: VersionId | null;
}

export interface ScriptInfo {
  readonly etag: string | undefined;
  readonly modifiedOn: string | undefined;
  readonly tags: readonly string[];
  /** The Durable Object migration tag the script is at; null when it has none. */
  readonly migrationTag: string | null;
}

/** The scripts of dispatch namespaces. */
export class Scripts {
  constructor(private readonly api: CloudflareApi) {}

  async upload(namespace: string, script: string, upload: ScriptUpload): Promise<UploadedScript> {
    const { api } = this;
    // Built (and validated) before anything is sent; each attempt sends a fresh copy.
    scriptUploadForm(upload);
    const secrets = upload.bindings.flatMap((b) => (b.type === "secret_text" ? [b.text] : []));
    const result = await api.request(
      `upload script ${script} to ${namespace}`,
      "idempotent",
      "PUT",
      scriptPath(namespace, script),
      () => scriptUploadForm(upload),
      secrets,
    );
    const parsed = UploadResult.pick({ etag: true, modified_on: true })
      // The API names the version the upload made `deployment_id` (wrangler reads it so); an answer may lack it.
      .extend({ deployment_id: VersionId.optional() })
      .parse(result);
    return { etag: parsed.etag, modifiedOn: parsed.modified_on, versionId: parsed.deployment_id ?? null };
  }

  async patchSettings(namespace: string, script: string, settings: ScriptSettingsInput): Promise<unknown> {
    const { api } = this;
    scriptSettingsForm(settings);
    const secrets = (settings.bindings ?? []).flatMap((b) => (b.type === "secret_text" ? [b.text] : []));
    return api.request(
      `update settings of script ${script} in ${namespace}`,
      "idempotent",
      "PATCH",
      scriptPath(namespace, script, "/settings"),
      () => scriptSettingsForm(settings),
      secrets,
    );
  }

  /** Replaces the script's tags. */
  async putTags(namespace: string, script: string, tags: string[]): Promise<void> {
    const { api } = this;
    await api.run(`set tags of script ${script} in ${namespace}`, "idempotent", async () => {
      await api.sdk.workersForPlatforms.dispatch.namespaces.scripts.tags.update(script, {
        account_id: api.accountId,
        dispatch_namespace: namespace,
        body: tags,
      });
    });
  }

  /**
   * Replaces the script's cron triggers with these (none: `[]`). A raw call: the SDK has
   * schedules for account scripts only, not for a dispatch namespace's. A whole-state PUT,
   * so retried like any idempotent call. Returns the crons the API answered it holds.
   */
  async putSchedules(namespace: string, script: string, crons: readonly string[]): Promise<string[]> {
    const body = JSON.stringify(crons.map((cron) => ({ cron })) satisfies SchedulesInput);
    const result = await this.api.request(
      `set cron triggers of script ${script} in ${namespace}`,
      "idempotent",
      "PUT",
      scriptPath(namespace, script, "/schedules"),
      // A typed Blob: the request carries `Content-Type: application/json`.
      () => new Blob([body], { type: "application/json" }),
    );
    return Schedules.parse(result).schedules.map((schedule) => schedule.cron);
  }

  /** Sets a secret (a `secret_text` binding) on the script; its value never appears in an error. */
  async putSecret(namespace: string, script: string, name: string, text: string): Promise<void> {
    const { api } = this;
    await api.run(
      `set secret ${name} of script ${script} in ${namespace}`,
      "idempotent",
      () =>
        api.sdk.workersForPlatforms.dispatch.namespaces.scripts.secrets.update(script, {
          account_id: api.accountId,
          dispatch_namespace: namespace,
          name,
          text,
          type: "secret_text",
        }),
      [text],
    );
  }

  /** Deletes a secret; one that is not there is already deleted. */
  async deleteSecret(namespace: string, script: string, name: string): Promise<void> {
    const { api } = this;
    await deleteIfPresent(
      () =>
        api.run(`delete secret ${name} of script ${script} in ${namespace}`, "idempotent", () =>
          api.sdk.workersForPlatforms.dispatch.namespaces.scripts.secrets.delete(name, {
            account_id: api.accountId,
            dispatch_namespace: namespace,
            script_name: script,
          }),
        ),
      ErrorCode.secretNotFound,
    );
  }

  /** The script, or null when the namespace has none of that name. */
  async get(namespace: string, script: string): Promise<ScriptInfo | null> {
    const { api } = this;
    try {
      const found = await api.run(`get script ${script} in ${namespace}`, "idempotent", () =>
        api.sdk.workersForPlatforms.dispatch.namespaces.scripts.get(script, {
          account_id: api.accountId,
          dispatch_namespace: namespace,
        }),
      );
      return {
        etag: found.script?.etag,
        modifiedOn: found.modified_on,
        tags: found.script?.tags ?? [],
        migrationTag: found.script?.migration_tag ?? null,
      };
    } catch (error) {
      if (isApiError(error, ErrorCode.namespacedScriptNotFound, ErrorCode.scriptNotFound)) return null;
      throw error;
    }
  }

  /** Deletes the script (`force`: with its bindings); one that is not there is already deleted. */
  async delete(namespace: string, script: string): Promise<void> {
    const { api } = this;
    await deleteIfPresent(
      () =>
        api.run(`delete script ${script} in ${namespace}`, "idempotent", () =>
          api.sdk.workersForPlatforms.dispatch.namespaces.scripts.delete(script, {
            account_id: api.accountId,
            dispatch_namespace: namespace,
            force: true,
          }),
        ),
      ErrorCode.scriptNotFound,
      ErrorCode.namespacedScriptNotFound,
    );
  }
}
