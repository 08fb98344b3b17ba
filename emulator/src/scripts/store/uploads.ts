import type { ScriptMetadata, VersionAnnotationsInput } from "../../../../cloudflare-api/script-metadata";
import { truncateMessage, type VersionAnnotations } from "../../../../cloudflare-api/versions";
import { type AssetsChange, versionAssetsAfter } from "../../assets/version-assets";
import { resolveBindings } from "../bindings";
import { failure, namespaceNotFound, scriptNotFound, success, validationFailed, type WorkersResult } from "../errors";
import { stableStringify } from "../etag";
import { nextMigrationTag } from "../migration-tag";
import { checkMainModule, type ModuleDigest } from "../modules";
import { classesAfter, type ObjectClasses } from "../object-classes";
import { mergeSettings, objectClassesOf } from "../script-record";
import type { StoreContext } from "./context";
import { findState, namespaceRow, readState } from "./rows";
import { checkReferences, draftVersion, type VersionDraft } from "./version-draft";

/** `PUT …/scripts/{name}`, validated as far as it can be without the store. */
export interface UploadRequest {
  namespace: string;
  script: string;
  metadata: ScriptMetadata;
  /** Null: an assets-only Worker, which must then have assets. */
  mainModule: string | null;
  modules: ModuleDigest[];
  /** `bindings_inherit=strict`: an `inherit` naming nothing is refused rather than dropped. */
  strictInherit: boolean;
  /** False for `POST …/versions`: the version is stored, not deployed, and the script must exist. */
  deploy: boolean;
  /** What the upload says about its assets, its JWT already checked (assets/script-assets.ts). */
  assets?: AssetsChange | undefined;
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
  const main = request.mainModule === null ? success(null) : checkMainModule(request.mainModule, request.modules);
  if (!main.ok) return main;
  const base = await readState(ctx, namespace, script);
  const previous = base.record;
  if (!request.deploy) {
    if (previous === null) return failure(scriptNotFound());
    if (metadata.migrations !== undefined) return failure(versionUploadWithMigrations());
  }
  const migrationTag = nextMigrationTag(previous?.migration_tag ?? null, metadata.migrations);
  if (!migrationTag.ok) return migrationTag;
  const bindings = resolveBindings({
    given: metadata.bindings ?? [],
    previous: previous?.version.bindings ?? [],
    keepTypes: metadata.keep_bindings ?? [],
    strictInherit: request.strictInherit,
  });
  if (!bindings.ok) return bindings;
  const assets = versionAssetsAfter(request.assets, previous?.version.assets);
  if (!assets.ok) return assets;
  if (main.value === null && assets.value === undefined) return failure(noCodeNorAssets());
  const classes = classesAfter(
    previous === null ? {} : objectClassesOf(previous),
    metadata.migrations,
    metadata.exports,
    bindings.value,
  );
  if (!classes.ok) return classes;
  if (main.value === null && Object.keys(classes.value.classes).length > 0) return failure(assetsOnlyWithClasses());
  if (previous !== null && !request.deploy && classesChanged(objectClassesOf(previous), classes.value.classes)) {
    return failure(versionUploadWithMigrations());
  }
  const refused = await checkReferences(ctx, accountId, bindings.value, assets.value !== undefined);
  if (refused !== undefined) return failure(refused);
  return success(
    await draftVersion(ctx, accountId, request, base, {
      version: {
        main_module: main.value,
        modules: request.modules,
        compatibility_date: metadata.compatibility_date,
        compatibility_flags: metadata.compatibility_flags ?? [],
        bindings: bindings.value,
        assets: assets.value,
      },
      settings: { ...mergeSettings(previous?.settings ?? {}, metadata), durable_objects: classes.value.classes },
      migrationTag: migrationTag.value,
      tags: metadata.tags,
      deletedObjectNamespaces: classes.value.deletedNamespaces,
      annotations: uploadAnnotations(metadata.annotations),
      deploy: request.deploy,
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
  const mainModule = request.mainModule ?? previous.version.main_module;
  if (mainModule === null) {
    return failure(validationFailed("main_module is required: this Worker has static assets only, no entry module"));
  }
  const main = checkMainModule(mainModule, request.modules);
  if (!main.ok) return main;
  return success(
    await draftVersion(ctx, accountId, request, base.value, {
      version: { ...previous.version, main_module: main.value, modules: request.modules },
      settings: previous.settings,
      migrationTag: previous.migration_tag,
    }),
  );
}

/** An assets-only upload whose assets resolved to none (keep_assets with nothing to keep). */
const noCodeNorAssets = () =>
  validationFailed("An upload without main_module is an assets-only Worker, and this one has no assets to keep");

/** An assets-only upload of a script whose Durable Object classes need its code. */
const assetsOnlyWithClasses = () =>
  validationFailed(
    "An assets-only Worker (no main_module) cannot replace a Worker with Durable Object classes: they need its code",
  );

/**
 * A version that changes Durable Object classes cannot be uploaded without being deployed
 * (cloudflare-docs, workers/configuration/versions-and-deployments/gradual-deployments,
 * "Gradual deployments for Durable Objects": migrations need a deploy to 100%).
 */
const versionUploadWithMigrations = () =>
  validationFailed(
    "A version upload cannot carry Durable Object migrations or change the classes in exports: upload the script itself (PUT …/scripts/{name}), which deploys it to 100%.",
  );

const classesChanged = (before: ObjectClasses, after: ObjectClasses) =>
  stableStringify(before) !== stableStringify(after);

/** What an upload's metadata says about its version, the message cut to the length the API keeps. */
function uploadAnnotations(given: VersionAnnotationsInput | undefined): VersionAnnotations {
  const message = given?.["workers/message"];
  const tag = given?.["workers/tag"];
  return {
    ...(message === undefined ? {} : { "workers/message": truncateMessage(message) }),
    ...(tag === undefined ? {} : { "workers/tag": tag }),
    "workers/triggered_by": "upload",
  };
}
