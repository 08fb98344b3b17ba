import type { z } from "zod";
import {
  type BindingInput,
  type Limits,
  type Migrations,
  type ModuleContentType,
  ScriptMetadata,
  type ScriptMetadataInput,
  ScriptSettingsPatch,
} from "../../../cloudflare-api/script-metadata";

/**
 * The bodies of the script upload and the settings PATCH, built here rather
 * than by the SDK: its 7.x `scripts.update` and `settings.edit` send bodies
 * the API cannot parse (cloudflare-typescript#2799). Both are checked against
 * the same schemas the emulator validates uploads with.
 */

/** What a module's extension says it is. */
const CONTENT_TYPES: Record<string, ModuleContentType> = {
  js: "application/javascript+module",
  mjs: "application/javascript+module",
  cjs: "application/javascript",
  txt: "text/plain",
  html: "text/plain",
  map: "application/source-map",
};

export function moduleContentType(path: string): ModuleContentType {
  const extension = /\.([A-Za-z0-9]+)$/.exec(path)?.[1]?.toLowerCase();
  const type = extension === undefined ? undefined : CONTENT_TYPES[extension];
  if (type === undefined)
    throw new Error(`no module type for ${JSON.stringify(path)}: use .js, .mjs, .cjs, .txt, .html or .map`);
  return type;
}

export type ScriptBinding = z.input<typeof BindingInput>;

export interface ScriptUpload {
  /** The module that is the entry point; must be one of `modules`. */
  readonly mainModule: string;
  /** Path (`index.js`, `lib/util.js`) → source. */
  readonly modules: Readonly<Record<string, string>>;
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
  };
  ScriptMetadata.parse(metadata);
  return metadata;
}

/** `PUT …/namespaces/{ns}/scripts/{name}` and `POST …/versions`: the `metadata` JSON part, then one part per module, named by its path. */
export function scriptUploadForm(upload: ScriptUpload): FormData {
  const form = new FormData();
  form.set("metadata", new Blob([JSON.stringify(uploadMetadata(upload))], { type: "application/json" }));
  for (const [path, source] of Object.entries(upload.modules)) {
    form.set(path, new File([source], path, { type: moduleContentType(path) }));
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
