import type { AccountId } from "../../../../cloudflare-api/names";
import type { VersionAnnotations } from "../../../../cloudflare-api/versions";
import { runnableBindingTypes } from "../../bindings/runnable-types";
import {
  assetsBindingRefusal,
  malformedReference,
  missingResourceError,
  resourceRefs,
  type StoredBinding,
  unrunnableBinding,
} from "../bindings";
import type { WorkersError } from "../errors";
import { computeEtag } from "../etag";
import { type ModuleDigest, moduleKey } from "../modules";
import type { ScriptRecord, ScriptSettingsRecord, ScriptVersion } from "../script-record";
import type { StoreContext } from "./context";
import type { ScriptState } from "./rows";

/**
 * A new version of one script, made but not stored: the startup check runs
 * it, the commit stores it. Plain data, so that it can go to the caller and
 * come back over RPC; nothing in the store remembers it.
 */
export interface VersionDraft {
  /** The script's revision the draft was made from: the commit refuses the draft once the script has moved on. */
  base: string;
  accountId: AccountId;
  record: ScriptRecord;
  /** Tags that replace the script's in the same commit; undefined keeps them. */
  tags: string[] | undefined;
  /** Durable Object namespaces the change deletes: their objects' storage goes once it commits. */
  deletedObjectNamespaces: string[];
  /** What the new version is annotated with (message, tag, what made it). */
  annotations: VersionAnnotations;
  /** Deploy the version to 100% as it commits (an upload, a secret); false for a version upload. */
  deploy: boolean;
}

/** What a change makes: the version (its modules not yet keyed: the keys hang off the new etag) and the rest. */
export interface VersionChange {
  version: Omit<ScriptVersion, "modules"> & { modules: ModuleDigest[] };
  settings: ScriptSettingsRecord;
  migrationTag: string | null;
  tags?: string[] | undefined;
  deletedObjectNamespaces?: string[] | undefined;
  /** Default: made by an upload, no message. */
  annotations?: VersionAnnotations | undefined;
  /** Default: deployed to 100% as it commits, as every change but a version upload is. */
  deploy?: boolean | undefined;
}

const newScriptTag = () => crypto.randomUUID().replaceAll("-", "");

/** The draft a change of `base` makes: a new etag over the new version, and module keys under it. */
export async function draftVersion(
  ctx: StoreContext,
  accountId: string,
  id: { namespace: string; script: string },
  base: ScriptState,
  change: VersionChange,
): Promise<VersionDraft> {
  const { version, settings } = change;
  const etag = await computeEtag(
    {
      mainModule: version.main_module,
      modules: version.modules.map(({ name, type, sha256 }) => ({ name, type, sha256 })),
      compatibilityDate: version.compatibility_date,
      compatibilityFlags: version.compatibility_flags,
      bindings: version.bindings,
      limits: settings.limits ?? null,
      objectClasses: Object.keys(settings.durable_objects ?? {}).length === 0 ? undefined : settings.durable_objects,
      assets: version.assets,
    },
    await ctx.secretKey(),
  );
  const previous = base.record;
  const now = new Date().toISOString();
  const record: ScriptRecord = {
    namespace: id.namespace,
    name: id.script,
    tag: previous?.tag ?? newScriptTag(),
    etag,
    created_on: previous?.created_on ?? now,
    modified_on: now,
    migration_tag: change.migrationTag,
    version: {
      ...version,
      modules: version.modules.map((m) => ({
        ...m,
        r2Key: moduleKey(accountId, id.namespace, id.script, etag, m.name),
      })),
    },
    settings,
    tags: previous?.tags ?? [],
  };
  return {
    base: base.revision,
    accountId: accountId as AccountId,
    record,
    tags: change.tags,
    deletedObjectNamespaces: change.deletedObjectNamespaces ?? [],
    annotations: change.annotations ?? { "workers/triggered_by": "upload" },
    deploy: change.deploy ?? true,
  };
}

/** The refusal for a binding to something this account does not have, or that cannot run here, if any. */
export async function checkReferences(
  { env }: StoreContext,
  accountId: string,
  bindings: StoredBinding[],
  hasAssets: boolean,
): Promise<WorkersError | undefined> {
  const malformed =
    malformedReference(bindings) ??
    unrunnableBinding(bindings, runnableBindingTypes) ??
    assetsBindingRefusal(bindings, hasAssets);
  if (malformed !== undefined) return malformed;
  const refs = resourceRefs(bindings);
  if (refs.kvNamespaceIds.length + refs.r2BucketNames.length + refs.d1DatabaseIds.length === 0) return undefined;
  const resources = env.RESOURCES_STORE.get(env.RESOURCES_STORE.idFromName(accountId));
  const [missing] = await resources.findMissing(refs);
  return missing === undefined ? undefined : missingResourceError(missing, bindings);
}
