import type { PublicBinding, ScriptSettings, ScriptSettingsPatch } from "../../../../cloudflare-api/script-metadata";
import { publicBinding, resolveBindings } from "../bindings";
import { failure, success, type WorkersResult } from "../errors";
import { nextMigrationTag } from "../migration-tag";
import { classesAfter } from "../object-classes";
import { mergeSettings, objectClassesOf, scriptSettings } from "../script-record";
import { commitNow } from "./commit";
import type { StoreContext } from "./context";
import { latestDeployedRefusal } from "./deployments";
import { findScript, findState } from "./rows";
import { checkReferences, draftVersion } from "./version-draft";

/** A script's bindings (secret values left out) and settings, read and patched. */

export function getBindings(ctx: StoreContext, namespace: string, script: string): WorkersResult<PublicBinding[]> {
  const found = findScript(ctx, namespace, script);
  return found.ok
    ? success(found.value.version.bindings.map((b) => publicBinding(b, objectClassesOf(found.value))))
    : found;
}

export function getSettings(ctx: StoreContext, namespace: string, script: string): WorkersResult<ScriptSettings> {
  const found = findScript(ctx, namespace, script);
  return found.ok ? success(scriptSettings(found.value)) : found;
}

/**
 * Changes what the PATCH names; `bindings`, when given, is the whole new list
 * (`inherit` carries the rest). Runs in the change queue, drafting and
 * committing in one turn: no code of the script's runs, so there is no startup
 * check to wait for.
 */
export async function patchSettings(
  ctx: StoreContext,
  accountId: string,
  namespace: string,
  script: string,
  patch: ScriptSettingsPatch,
): Promise<WorkersResult<ScriptSettings>> {
  const found = await findState(ctx, namespace, script);
  if (!found.ok) return found;
  const undeployed = latestDeployedRefusal(ctx, namespace, script, "settings");
  if (undeployed !== undefined) return failure(undeployed);
  const previous = found.value.record;
  const migrationTag = nextMigrationTag(previous.migration_tag, patch.migrations);
  if (!migrationTag.ok) return migrationTag;
  let bindings = previous.version.bindings;
  if (patch.bindings !== undefined) {
    const resolved = resolveBindings({
      given: patch.bindings,
      previous: previous.version.bindings,
      keepTypes: [],
      strictInherit: true,
    });
    if (!resolved.ok) return resolved;
    const refused = await checkReferences(ctx, accountId, resolved.value, previous.version.assets !== undefined);
    if (refused !== undefined) return failure(refused);
    bindings = resolved.value;
  }
  const classes = classesAfter(objectClassesOf(previous), patch.migrations, undefined, bindings);
  if (!classes.ok) return classes;
  const draft = await draftVersion(ctx, accountId, { namespace, script }, found.value, {
    version: {
      ...previous.version,
      bindings,
      compatibility_date: patch.compatibility_date ?? previous.version.compatibility_date,
      compatibility_flags: patch.compatibility_flags ?? previous.version.compatibility_flags,
    },
    settings: { ...mergeSettings(previous.settings, patch), durable_objects: classes.value.classes },
    migrationTag: migrationTag.value,
    tags: patch.tags,
    deletedObjectNamespaces: classes.value.deletedNamespaces,
  });
  return success(scriptSettings((await commitNow(ctx, draft)).record));
}
