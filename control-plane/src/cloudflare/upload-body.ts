import type { z } from "zod";
import type { ScriptAssetsInput } from "../../../cloudflare-api/assets";
import {
  type BindingInput,
  type Limits,
  type Migrations,
  type ModuleContentType,
  ScriptMetadata,
  type ScriptMetadataInput,
  ScriptSettingsPatch,
} from "../../../cloudflare-api/script-metadata";
import { MODULE_CONTENT_TYPE, type ModuleContent, moduleBytes, moduleType } from "../../../platform/script-modules";

/**
 * The bodies of the script upload and the settings PATCH, built here rather
 * than by the SDK: its 7.x `scripts.update` and `settings.edit` send bodies
 * the API cannot parse (cloudflare-typescript#2799). Both are checked against
 * the same schemas the emulator validates uploads with.
 */

/** The content type a module is uploaded with: its type's (a string's from its name's extension). */
export function moduleContentType(path: string, content: ModuleContent): ModuleContentType {
  const type = moduleType(path, content);
  if (type === undefined)
    throw new Error(`no module type for ${JSON.stringify(path)}: its extension names no type of source text`);
  return MODULE_CONTENT_TYPE[type];
}

export type ScriptBinding = z.input<typeof BindingInput>;

export interface ScriptUpload {
  /** The module that is the entry point; must be one of `modules`. */
  readonly mainModule: string;
  /** Path (`index.js`, `lib/util.js`) → source text, or `{type, base64}` (WebAssembly, data). */
  readonly modules: Readonly<Record<string, ModuleContent>>;
  readonly compatibilityDate: string;
  readonly compatibilityFlags?: readonly string[];
  /** The whole binding list of the new version (`{type: "inherit", name}` carries one over). */
  readonly bindings: readonly ScriptBinding[];
  readonly tags: readonly string[];
  /** Binding TYPES carried over from the current version, e.g. `["secret_text"]`. */
  readonly keepBindings?: readonly string[];
  readonly limits?: Limits;
  readonly migrations?: Migrations;
  /** The version's message (`annotations["workers/message"]`). */
  readonly message?: string;
  /** The version's static assets: an upload session's completion JWT and how they are served. */
  readonly assets?: ScriptAssetsInput;
  /** Keep the static assets of the script's latest version (a code-only upload). */
  readonly keepAssets?: boolean;
}

/** The `metadata` part, validated as the API would (a bad upload fails here, not after a round trip). */
export function uploadMetadata(upload: ScriptUpload): ScriptMetadataInput {
  if (!Object.hasOwn(upload.modules, upload.mainModule)) {
    throw new Error(`main module ${JSON.stringify(upload.mainModule)} is not one of the modules`);
  }
  const metadata: ScriptMetadataInput = {
    main_module: upload.mainModule,
    compatibility_date: upload.compatibilityDate,
    compatibility_flags: [...(upload.compatibilityFlags ?? [])],
    bindings: [...upload.bindings] as ScriptMetadataInput["bindings"],
    tags: [...upload.tags],
    ...(upload.keepBindings === undefined ? {} : { keep_bindings: [...upload.keepBindings] }),
    ...(upload.limits === undefined ? {} : { limits: upload.limits }),
    ...(upload.migrations === undefined ? {} : { migrations: upload.migrations }),
    ...(upload.message === undefined ? {} : { annotations: { "workers/message": upload.message } }),
    ...(upload.assets === undefined ? {} : { assets: upload.assets }),
    ...(upload.keepAssets === undefined ? {} : { keep_assets: upload.keepAssets }),
  };
  ScriptMetadata.parse(metadata);
  return metadata;
}

/** `PUT …/namespaces/{ns}/scripts/{name}` and `POST …/versions`: the `metadata` JSON part, then one part per module, named by its path. */
export function scriptUploadForm(upload: ScriptUpload): FormData {
  const form = new FormData();
  form.set("metadata", new Blob([JSON.stringify(uploadMetadata(upload))], { type: "application/json" }));
  for (const [path, content] of Object.entries(upload.modules)) {
    // Bytes, not a string: a binary module's must reach the API exactly as given.
    const bytes = moduleBytes(content) as Uint8Array<ArrayBuffer>;
    form.set(path, new File([bytes], path, { type: moduleContentType(path, content) }));
  }
  return form;
}

/** What a settings PATCH may change; `bindings`, when given, is the whole list. */
export type ScriptSettingsInput = z.input<typeof ScriptSettingsPatch>;

/** `PATCH …/scripts/{name}/settings`: one JSON part named `settings`. */
export function scriptSettingsForm(settings: ScriptSettingsInput): FormData {
  ScriptSettingsPatch.parse(settings);
  const form = new FormData();
  form.set("settings", new Blob([JSON.stringify(settings)], { type: "application/json" }));
  return form;
}
