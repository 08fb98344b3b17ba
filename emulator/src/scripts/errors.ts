import { ErrorCode } from "../../../cloudflare-api/error-codes";
import { MAX_TAGS } from "../../../cloudflare-api/names";
import type { ErrorStatus } from "../http/errors";

/**
 * A refusal of the Workers API, as plain data: WorkersStore answers with these
 * rather than throwing, because an error thrown across RPC loses its class and
 * fields. Routes turn them into ApiErrors. No message ever carries a secret value.
 */
export interface WorkersError {
  status: ErrorStatus;
  code: number;
  message: string;
}

export type WorkersResult<T> = { ok: true; value: T } | { ok: false; error: WorkersError };

export const success = <T>(value: T): WorkersResult<T> => ({ ok: true, value });
export const failure = (error: WorkersError): { ok: false; error: WorkersError } => ({ ok: false, error });

const refusal = (status: ErrorStatus, code: number, message: string): WorkersError => ({ status, code, message });

export const scriptNotFound = () =>
  refusal(404, ErrorCode.scriptNotFound, "This Worker does not exist on your account.");

/**
 * The script details endpoint answers a missing script with 10092, not
 * 10007: `wrangler deploy --dispatch-namespace` reads exactly that code as
 * "first deploy" (its own test fixtures carry this message).
 */
export const namespacedScriptNotFound = () =>
  refusal(404, ErrorCode.namespacedScriptNotFound, "workers.api.error.environment_not_found");

export const namespaceNotFound = (name: string) =>
  refusal(404, ErrorCode.dispatchNamespaceNotFound, `Dispatch namespace '${name}' not found.`);

export const namespaceExists = (name: string) =>
  refusal(409, ErrorCode.dispatchNamespaceExists, `A dispatch namespace named '${name}' already exists.`);

export const invalidScriptName = (name: string) =>
  refusal(
    400,
    ErrorCode.invalidScriptName,
    `Invalid Worker name '${name}': names must match ^[a-z0-9_][a-z0-9-_]*$ and be at most 63 characters.`,
  );

/** The catch-all "the upload or settings are not valid" refusal. */
export const validationFailed = (message: string) => refusal(400, ErrorCode.scriptValidationFailed, message);

export const unsupportedContentType = (expected: string) =>
  refusal(400, ErrorCode.unsupportedContentType, `Unsupported or unexpected Content-Type: expected ${expected}.`);

export const tooManyTags = () =>
  refusal(400, ErrorCode.scriptTagLimit, `A Worker can have at most ${MAX_TAGS} tags; remove a tag first.`);

/** A schedule Cloudflare would refuse (its code, with the reason the grammar gives). */
export const invalidCron = (message: string) => refusal(400, ErrorCode.invalidCron, message);

export const invalidTag = () => refusal(400, ErrorCode.scriptTagInvalid, "Tags cannot contain ',' or '&'.");

export const migrationTagMismatch = (current: string | null) =>
  refusal(
    400,
    ErrorCode.migrationTagMismatch,
    `Migration tag precondition failed; current tag is ${current === null ? "not set" : current}`,
  );

/** A Durable Object binding (or a class the script keeps) whose class no migration created. */
export const objectClassNotConfigured = (className: string) =>
  refusal(
    400,
    ErrorCode.objectClassUnbindable,
    `Cannot create binding for class '${className}' because it is not currently configured to implement Durable Objects. Ensure a --new-class migration has been applied to it.`,
  );

/** A Durable Object class the script's main module does not export (found when the upload is started). */
export const objectClassNotExported = (className: string) =>
  refusal(
    400,
    ErrorCode.objectClassUnbindable,
    `Cannot create binding for class ${className} that is not exported by the script`,
  );

/** A new-class migration for a class the script already has. */
export const objectClassExists = (className: string) =>
  refusal(
    400,
    ErrorCode.objectClassExists,
    `Cannot apply new-class migration to class '${className}' that is already depended on by existing Durable Objects`,
  );

export const secretNotFound = (name: string) =>
  refusal(404, ErrorCode.secretNotFound, `Secret '${name}' does not exist on this Worker.`);

export const kvNamespaceNotFound = (id: string) =>
  refusal(400, ErrorCode.bindingResourceNotFound, `KV namespace '${id}' not found.`);

export const kvNamespaceInvalid = (id: string) =>
  refusal(
    400,
    ErrorCode.kvBindingInvalid,
    `KV namespace '${id}' is not valid. Please verify the namespace_id in your configuration.`,
  );

export const r2BucketNotFound = (name: string) =>
  refusal(
    400,
    ErrorCode.r2BindingNotFound,
    `R2 bucket '${name}' not found. Please use a different name and try again.`,
  );

export const d1DatabaseNotFound = (binding: string, id: string) =>
  refusal(
    400,
    ErrorCode.d1BindingNotFound,
    `D1 binding '${binding}' references database '${id}' which was not found. Verify the database exists in your account and that the database_id in your configuration is correct.`,
  );

/**
 * An upload whose script kept changing (other changes committing) while its
 * startup check ran; a 5xx, so that clients retry it as they retry any
 * transient failure of an idempotent PUT.
 */
export const changedDuringUpload = () =>
  refusal(
    503,
    ErrorCode.internalError,
    "The Worker changed repeatedly while this upload was being checked; send the upload again.",
  );

export const versionNotFound = (id: string) =>
  refusal(404, ErrorCode.versionNotFound, `Version '${id}' does not exist on this Worker.`);

export const deploymentNotFound = (id: string) =>
  refusal(404, ErrorCode.versionNotFound, `Deployment '${id}' does not exist on this Worker.`);

/**
 * A secret or settings change makes a version from the latest and deploys it to
 * 100%; while another deployment serves traffic that would undo it, so production
 * refuses (wrangler explains these two codes to its users).
 */
export const latestVersionNotDeployed = (change: "secret" | "settings") =>
  refusal(
    400,
    change === "secret" ? ErrorCode.latestVersionNotDeployed : ErrorCode.latestVersionSettingsNotDeployed,
    `The latest version of this Worker isn't currently deployed to 100% of traffic: deploy it before changing its ${change === "secret" ? "secrets" : "settings"}, or upload a new version.`,
  );

/** wrangler reads the names after "The following secrets have changed: " (its rollback asks to confirm them). */
export const secretsChanged = (names: readonly string[]) =>
  refusal(
    400,
    ErrorCode.secretsChangedSinceVersion,
    `A version whose secrets differ from the latest version's can only be deployed with force=true. The following secrets have changed: ${names.join(", ")}`,
  );
