import type { SecretInput, SecretSummary } from "../../../../cloudflare-api/script-metadata";
import { reservedBindingName, type StoredBinding } from "../bindings";
import { failure, secretNotFound, success, validationFailed, type WorkersResult } from "../errors";
import { commitNow } from "./commit";
import type { StoreContext } from "./context";
import { latestDeployedRefusal } from "./deployments";
import { findScript, findState } from "./rows";
import { META } from "./schema";
import { draftVersion } from "./version-draft";

/**
 * Secrets: secret_text bindings, changed one at a time, each change a new
 * version. Values go in, never out; in etags they appear only as an HMAC
 * under the account's own key.
 */

/** The account's key for hashing secret values into etags, made on first use and kept in `meta`. */
export function accountSecretKey(sql: SqlStorage): () => Promise<CryptoKey> {
  let key: Promise<CryptoKey> | undefined;
  return () => {
    key ??= (async () => {
      let stored = sql
        .exec<{ value: string }>(`SELECT value FROM ${META.name} WHERE key = 'etag_key'`)
        .toArray()[0]?.value;
      if (stored === undefined) {
        stored = [...crypto.getRandomValues(new Uint8Array(32))].map((b) => b.toString(16).padStart(2, "0")).join("");
        sql.exec(`INSERT INTO ${META.name} (key, value) VALUES ('etag_key', ?)`, stored);
      }
      const raw = new Uint8Array(stored.match(/../g)?.map((h) => Number.parseInt(h, 16)) ?? []);
      return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
    })();
    return key;
  };
}

export function listSecrets(ctx: StoreContext, namespace: string, script: string): WorkersResult<SecretSummary[]> {
  const found = findScript(ctx, namespace, script);
  if (!found.ok) return found;
  return success(
    found.value.version.bindings.flatMap((b) => (b.type === "secret_text" ? [{ name: b.name, type: b.type }] : [])),
  );
}

export function getSecret(
  ctx: StoreContext,
  namespace: string,
  script: string,
  name: string,
): WorkersResult<SecretSummary> {
  const found = findScript(ctx, namespace, script);
  if (!found.ok) return found;
  const secret = found.value.version.bindings.find((b) => b.type === "secret_text" && b.name === name);
  return secret === undefined ? failure(secretNotFound(name)) : success({ name, type: "secret_text" });
}

/**
 * A new version with the bindings `change` makes of the current ones. Runs in
 * the change queue, drafting and committing in one turn. No startup check, as
 * before the split: a secret changes what `env` holds, not the code.
 */
async function changeBindings(
  ctx: StoreContext,
  accountId: string,
  id: { namespace: string; script: string },
  change: (bindings: StoredBinding[]) => WorkersResult<StoredBinding[]>,
): Promise<WorkersResult<null>> {
  const found = await findState(ctx, id.namespace, id.script);
  if (!found.ok) return found;
  const undeployed = latestDeployedRefusal(ctx, id.namespace, id.script, "secret");
  if (undeployed !== undefined) return failure(undeployed);
  const previous = found.value.record;
  const bindings = change(previous.version.bindings);
  if (!bindings.ok) return bindings;
  const draft = await draftVersion(ctx, accountId, id, found.value, {
    version: { ...previous.version, bindings: bindings.value },
    settings: previous.settings,
    migrationTag: previous.migration_tag,
    annotations: { "workers/triggered_by": "secret" },
  });
  await commitNow(ctx, draft);
  return success(null);
}

export async function putSecret(
  ctx: StoreContext,
  accountId: string,
  namespace: string,
  script: string,
  secret: SecretInput,
): Promise<WorkersResult<SecretSummary>> {
  // Refused as an upload's binding of that name is: its value would replace the emulator's own binding.
  const reserved = reservedBindingName(secret.name);
  if (reserved !== undefined) return failure(reserved);
  const changed = await changeBindings(ctx, accountId, { namespace, script }, (bindings) => {
    const clash = bindings.find((b) => b.name === secret.name && b.type !== "secret_text");
    if (clash !== undefined) {
      return failure(validationFailed(`Binding name '${secret.name}' is already in use by a ${clash.type} binding`));
    }
    const stored: StoredBinding = { type: "secret_text", name: secret.name, text: secret.text };
    const replaced = bindings.some((b) => b.name === secret.name);
    return success(replaced ? bindings.map((b) => (b.name === secret.name ? stored : b)) : [...bindings, stored]);
  });
  return changed.ok ? success({ name: secret.name, type: "secret_text" }) : changed;
}

export const deleteSecret = (ctx: StoreContext, accountId: string, namespace: string, script: string, name: string) =>
  changeBindings(ctx, accountId, { namespace, script }, (bindings) =>
    bindings.some((b) => b.type === "secret_text" && b.name === name)
      ? success(bindings.filter((b) => b.name !== name))
      : failure(secretNotFound(name)),
  );
