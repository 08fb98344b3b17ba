import type { ModuleUpload } from "../modules";
import { type ScriptRecord, toRow } from "../script-record";
import { deleteBodies, writeBodies } from "./bodies";
import type { StoreContext } from "./context";
import { readState, replaceTags, requireScript } from "./rows";
import { insertRow, SCRIPTS } from "./schema";
import type { VersionDraft } from "./version-draft";

/**
 * Stores a draft as the script's current version, or answers null when the
 * script has changed since the draft was made (the caller drafts again, so
 * that the other change is built on rather than lost). Runs in the store's
 * change queue: nothing else changes the script between the revision check and
 * the write.
 *
 * The new version's module bodies (`uploaded`, or the current version's
 * copied) are written before the metadata commits and the replaced version's
 * deleted after, so a failure anywhere leaves the previous version whole.
 */
export async function commitDraft(
  ctx: StoreContext,
  draft: VersionDraft,
  uploaded: readonly ModuleUpload[] | undefined,
): Promise<ScriptRecord | null> {
  const next = draft.record;
  const current = await readState(ctx, next.namespace, next.name);
  if (current.revision !== draft.base) return null;
  const previous = current.record;
  const bucket = ctx.env.SCRIPT_MODULES;
  const changed = previous?.etag !== next.etag;
  if (changed) await writeBodies(bucket, next.version, uploaded, previous?.version);
  try {
    ctx.transaction(() => {
      insertRow(ctx.sql, SCRIPTS, toRow(next));
      if (draft.tags !== undefined) replaceTags(ctx, next.namespace, next.name, draft.tags);
    });
  } catch (error) {
    if (changed) await deleteBodies(bucket, [next.version]);
    throw error;
  }
  if (changed && previous !== null) await deleteBodies(bucket, [previous.version]);
  if (draft.deletedObjectNamespaces.length > 0) {
    ctx.objectsGone(
      { accountId: draft.accountId, namespace: next.namespace, script: next.name },
      draft.deletedObjectNamespaces,
    );
  }
  return requireScript(ctx, next.namespace, next.name);
}

/** For a change drafted and committed in one turn of the queue, where the script cannot have moved on. */
export async function commitNow(ctx: StoreContext, draft: VersionDraft): Promise<ScriptRecord> {
  const committed = await commitDraft(ctx, draft, undefined);
  if (committed === null) throw new Error("a script changed inside the store's change queue");
  return committed;
}
