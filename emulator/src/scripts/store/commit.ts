import type { ModuleUpload } from "../modules";
import { type ScriptRecord, toRow } from "../script-record";
import { deleteBodies, writeBodies } from "./bodies";
import type { StoreContext } from "./context";
import { addDeployment } from "./deployment-rows";
import { tellObjects } from "./deployments";
import { readState, replaceTags, requireScript } from "./rows";
import { insertRow, SCRIPTS } from "./schema";
import type { VersionDraft } from "./version-draft";
import { addVersion, etagInUse, type StoredVersion } from "./version-rows";

/** A committed change: the script as it now is (its latest version), and that version. */
export interface Committed {
  record: ScriptRecord;
  version: StoredVersion;
}

/**
 * Stores a draft as the script's latest version, deployed to 100% unless the
 * draft says not (a version upload), or answers null when the script has
 * changed since the draft was made (the caller drafts again, so that the other
 * change is built on rather than lost). Runs in the store's change queue:
 * nothing else changes the script between the revision check and the write.
 *
 * The new version's module bodies (`uploaded`, or the latest version's
 * copied) are written before the metadata commits, unless a version of the
 * same etag already has them. Earlier versions' bodies stay: any of them may
 * be deployed again, until the script is deleted.
 */
export async function commitDraft(
  ctx: StoreContext,
  draft: VersionDraft,
  uploaded: readonly ModuleUpload[] | undefined,
  handlers?: string[],
  /** The bodies are already in SCRIPT_MODULES (staged-bodies.ts): nothing to write, nor to delete on failure. */
  staged = false,
): Promise<Committed | null> {
  // What its start found the new code to handle; a change of no code keeps the latest version's.
  const next =
    handlers === undefined ? draft.record : { ...draft.record, version: { ...draft.record.version, handlers } };
  const current = await readState(ctx, next.namespace, next.name);
  if (current.revision !== draft.base) return null;
  const bucket = ctx.env.SCRIPT_MODULES;
  const fresh = !staged && !etagInUse(ctx, next.namespace, next.name, next.etag);
  if (fresh) await writeBodies(bucket, next.version, uploaded, current.record?.version);
  let version: StoredVersion | undefined;
  try {
    ctx.transaction(() => {
      insertRow(ctx.sql, SCRIPTS, toRow(next));
      if (draft.tags !== undefined) replaceTags(ctx, next.namespace, next.name, draft.tags);
      version = addVersion(ctx, next, draft.annotations);
      if (draft.deploy) {
        const trigger = draft.annotations["workers/triggered_by"];
        addDeployment(
          ctx,
          { namespace: next.namespace, script: next.name },
          [{ version_id: version.id, percentage: 100 }],
          trigger === undefined ? {} : { "workers/triggered_by": trigger },
          next.modified_on,
        );
      }
    });
  } catch (error) {
    if (fresh) await deleteBodies(bucket, [next.version]);
    throw error;
  }
  if (draft.deletedObjectNamespaces.length > 0) {
    ctx.objectsGone(
      { accountId: draft.accountId, namespace: next.namespace, script: next.name },
      draft.deletedObjectNamespaces,
    );
  }
  if (version === undefined) throw new Error("a committed change made no version");
  const record = requireScript(ctx, next.namespace, next.name);
  // Awaited, so that the next request finds the script's objects on their new versions: a version of
  // an etag the host already runs (the same code uploaded again) would not make it look by itself.
  if (draft.deploy && current.record !== null) await tellObjects(ctx, draft.accountId, record);
  return { record, version };
}

/** For a change drafted and committed in one turn of the queue, where the script cannot have moved on. */
export async function commitNow(ctx: StoreContext, draft: VersionDraft): Promise<Committed> {
  const committed = await commitDraft(ctx, draft, undefined);
  if (committed === null) throw new Error("a script changed inside the store's change queue");
  return committed;
}
