import type { ScriptMetadata } from "../../../../cloudflare-api/script-metadata";
import { resolveBindings } from "../bindings";
import { failure, namespaceNotFound, success, type WorkersResult } from "../errors";
import { nextMigrationTag } from "../migration-tag";
import { checkMainModule, type ModuleDigest } from "../modules";
import { classesAfter } from "../object-classes";
import { mergeSettings, objectClassesOf } from "../script-record";
import type { StoreContext } from "./context";
import { findState, namespaceRow, readState } from "./rows";
import { checkReferences, draftVersion, type VersionDraft } from "./version-draft";

/** `PUT …/scripts/{name}`, validated as far as it can be without the store. */
export interface UploadRequest {
  namespace: string;
  script: string;
  metadata: ScriptMetadata;
  mainModule: string;
  modules: ModuleDigest[];
  /** `bindings_inherit=strict`: an `inherit` naming nothing is refused rather than dropped. */
  strictInherit: boolean;
}

/** `PUT …/scripts/{name}/content`: new modules, the same bindings and settings. */
export interface ContentRequest {
  namespace: string;
  script: string;
  /** Omitted: the current main module, which must then be among the new modules. */
  mainModule: string | undefined;
  modules: ModuleDigest[];
}

/** The version an upload makes, refusals in the order the API checks them (the startup check comes after). */
export async function draftUpload(
  ctx: StoreContext,
  accountId: string,
  request: UploadRequest,
): Promise<WorkersResult<VersionDraft>> {
  const { namespace, script, metadata } = request;
  if (namespaceRow(ctx, namespace) === undefined) return failure(namespaceNotFound(namespace));
  const main = checkMainModule(request.mainModule, request.modules);
  if (!main.ok) return main;
  const base = await readState(ctx, namespace, script);
  const previous = base.record;
  const migrationTag = nextMigrationTag(previous?.migration_tag ?? null, metadata.migrations);
  if (!migrationTag.ok) return migrationTag;
  const bindings = resolveBindings({
    given: metadata.bindings ?? [],
    previous: previous?.version.bindings ?? [],
    keepTypes: metadata.keep_bindings ?? [],
    strictInherit: request.strictInherit,
  });
  if (!bindings.ok) return bindings;
  const classes = classesAfter(
    previous === null ? {} : objectClassesOf(previous),
    metadata.migrations,
    metadata.exports,
    bindings.value,
  );
  if (!classes.ok) return classes;
  const refused = await checkReferences(ctx, accountId, bindings.value);
  if (refused !== undefined) return failure(refused);
  return success(
    await draftVersion(ctx, accountId, request, base, {
      version: {
        main_module: main.value,
        modules: request.modules,
        compatibility_date: metadata.compatibility_date,
        compatibility_flags: metadata.compatibility_flags ?? [],
        bindings: bindings.value,
      },
      settings: { ...mergeSettings(previous?.settings ?? {}, metadata), durable_objects: classes.value.classes },
      migrationTag: migrationTag.value,
      tags: metadata.tags,
      deletedObjectNamespaces: classes.value.deletedNamespaces,
    }),
  );
}

/** The version a content PUT makes: new modules, everything else as it was. */
export async function draftContent(
  ctx: StoreContext,
  accountId: string,
  request: ContentRequest,
): Promise<WorkersResult<VersionDraft>> {
  const { namespace, script } = request;
  const base = await findState(ctx, namespace, script);
  if (!base.ok) return base;
  const previous = base.value.record;
  const main = checkMainModule(request.mainModule ?? previous.version.main_module, request.modules);
  if (!main.ok) return main;
  return success(
    await draftVersion(ctx, accountId, request, base.value, {
      version: { ...previous.version, main_module: main.value, modules: request.modules },
      settings: previous.settings,
      migrationTag: previous.migration_tag,
    }),
  );
}
