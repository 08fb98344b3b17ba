import type {
  Limits,
  Migrations,
  ModuleContentType,
  NamespaceScript,
  ScriptMetadata,
  ScriptSettings,
  ScriptSummary,
  UploadResult,
} from "../../../cloudflare-api/script-metadata";
import type { VersionAssets } from "../assets/version-assets";
import { publicBinding, type StoredBinding, withNamespaceId } from "./bindings";
import type { ModuleDigest } from "./modules";
import type { ObjectClasses } from "./object-classes";
import type { ScriptRow } from "./store/schema";

/** One module of a version: its body lives in SCRIPT_MODULES under `r2Key`. */
export type StoredModule = ModuleDigest & { r2Key: string };

/** What runs: replaced as a whole by every upload. */
export interface ScriptVersion {
  /** The entry module; null for a Worker of static assets only (wrangler's assets-only upload, no code). */
  main_module: string | null;
  modules: StoredModule[];
  compatibility_date?: string | undefined;
  compatibility_flags: string[];
  bindings: StoredBinding[];
  /** The handlers of the main module's default export, found when it was started (none stored before that was). */
  handlers?: string[] | undefined;
  /** The version's static assets: its manifest's key and their config (assets/version-assets.ts). */
  assets?: VersionAssets | undefined;
}

/**
 * Script-level settings: an upload or PATCH changes the ones it names and
 * keeps the rest. `durable_objects` are the script's Durable Object classes,
 * which only migrations (or `exports`) change.
 */
export type ScriptSettingsRecord = Pick<
  ScriptMetadata,
  "limits" | "logpush" | "observability" | "placement" | "tail_consumers" | "usage_model"
> & { migrations?: Migrations | undefined; durable_objects?: ObjectClasses | undefined };

/** A script as the store reads it: its row (`store/schema.ts`), the JSON columns parsed, and its tags. */
export type ScriptRecord = Omit<ScriptRow, "version" | "settings"> & {
  version: ScriptVersion;
  settings: ScriptSettingsRecord;
  tags: string[];
};

export const toRecord = (row: ScriptRow, tags: string[]): ScriptRecord => ({
  ...row,
  version: JSON.parse(row.version) as ScriptVersion,
  settings: JSON.parse(row.settings) as ScriptSettingsRecord,
  tags,
});

/** The row a record is stored as; its tags live in their own table. */
export function toRow(record: ScriptRecord): ScriptRow {
  const { tags: _, ...fields } = record;
  return { ...fields, version: JSON.stringify(record.version), settings: JSON.stringify(record.settings) };
}

/** What an upload or PATCH says about script-level settings; absent fields are kept. */
export function mergeSettings(
  current: ScriptSettingsRecord,
  change: Partial<Pick<ScriptMetadata, Exclude<keyof ScriptSettingsRecord, "durable_objects">>>,
): ScriptSettingsRecord {
  const merged: ScriptSettingsRecord = { ...current };
  for (const key of ["limits", "logpush", "observability", "placement", "tail_consumers", "usage_model"] as const) {
    if (change[key] !== undefined) Object.assign(merged, { [key]: change[key] });
  }
  if (change.migrations !== undefined) merged.migrations = change.migrations;
  return merged;
}

/**
 * The extract the emulator is checked against (2024) allows only "bundled" and
 * "unbound"; scripts that never chose answer with the model the extract's
 * examples show.
 */
export const DEFAULT_USAGE_MODEL = "bundled";

export function scriptSummary(record: ScriptRecord): ScriptSummary {
  const { version, settings } = record;
  return {
    id: record.name,
    tag: record.tag,
    etag: record.etag,
    created_on: record.created_on,
    modified_on: record.modified_on,
    ...(version.compatibility_date === undefined ? {} : { compatibility_date: version.compatibility_date }),
    compatibility_flags: version.compatibility_flags,
    has_assets: version.assets !== undefined,
    has_modules: version.main_module !== null,
    logpush: settings.logpush ?? false,
    ...(record.migration_tag === null ? {} : { migration_tag: record.migration_tag }),
    ...(settings.placement?.mode === undefined ? {} : { placement_mode: settings.placement.mode }),
    tags: record.tags,
    tail_consumers: settings.tail_consumers ?? [],
    usage_model: settings.usage_model ?? DEFAULT_USAGE_MODEL,
  };
}

/** An upload's answer: the script, and how long the new version took to start (wall-clock, startup-check.ts). */
export const uploadResult = (record: ScriptRecord, startupMs: number): UploadResult => ({
  ...scriptSummary(record),
  startup_time_ms: startupMs,
});

export const namespaceScript = (record: ScriptRecord): NamespaceScript => ({
  created_on: record.created_on,
  modified_on: record.modified_on,
  dispatch_namespace: record.namespace,
  script: scriptSummary(record),
});

/** The script's Durable Object classes (none for a script that never declared one). */
export const objectClassesOf = (record: ScriptRecord): ObjectClasses => record.settings.durable_objects ?? {};

export function scriptSettings(record: ScriptRecord): ScriptSettings {
  const { version, settings } = record;
  return {
    bindings: version.bindings.map((binding) => publicBinding(binding, objectClassesOf(record))),
    ...(version.compatibility_date === undefined ? {} : { compatibility_date: version.compatibility_date }),
    compatibility_flags: version.compatibility_flags,
    ...(settings.limits === undefined ? {} : { limits: settings.limits }),
    logpush: settings.logpush ?? false,
    ...(settings.observability === undefined ? {} : { observability: settings.observability }),
    ...(settings.placement === undefined ? {} : { placement: settings.placement }),
    tags: record.tags,
    tail_consumers: settings.tail_consumers ?? [],
    usage_model: settings.usage_model ?? DEFAULT_USAGE_MODEL,
  };
}

/**
 * workerd needs a compatibility date; the API accepts uploads without one.
 * Such scripts run as of a date before any compatibility flag took effect.
 */
export const DEFAULT_COMPATIBILITY_DATE = "2021-11-02";

/**
 * A binding as the runner receives it: the API's own fields by type. Typed
 * loosely on purpose: RPC's types can map neither the recursive JSON type of
 * `json` bindings nor `unknown`, but any `object` passes.
 */
export interface RunnableBinding {
  type: string;
  name: string;
  [field: string]: string | number | boolean | null | undefined | object;
}

/** Everything needed to run the script, secret values included: for the emulator's own dispatcher only. */
export interface RunnableScript {
  tag: string;
  etag: string;
  /** Null: no code, only static assets (assets/router.ts never runs it). */
  mainModule: string | null;
  modules: { name: string; type: ModuleContentType; r2Key: string }[];
  compatibilityDate: string;
  compatibilityFlags: string[];
  bindings: RunnableBinding[];
  limits?: Limits | undefined;
  objectClasses: { className: string; namespaceId: string }[];
  /** The version's static assets, served before (or instead of) its Worker (assets/router.ts). */
  assets?: VersionAssets | undefined;
}

/**
 * A binding as the runtime needs it: a Durable Object binding with its namespace's id, an assets
 * binding with its version's manifest key and config (assets/binding.ts).
 */
function runnableBinding(record: ScriptRecord, binding: StoredBinding): RunnableBinding {
  const assets = record.version.assets;
  if (binding.type === "assets" && assets !== undefined) return { ...binding, ...assets };
  return withNamespaceId(binding, objectClassesOf(record));
}

export const runnableScript = (record: ScriptRecord): RunnableScript => ({
  tag: record.tag,
  etag: record.etag,
  mainModule: record.version.main_module,
  modules: record.version.modules.map(({ name, type, r2Key }) => ({ name, type, r2Key })),
  compatibilityDate: record.version.compatibility_date ?? DEFAULT_COMPATIBILITY_DATE,
  compatibilityFlags: record.version.compatibility_flags,
  bindings: record.version.bindings.map((binding) => runnableBinding(record, binding)),
  limits: record.settings.limits,
  objectClasses: Object.entries(objectClassesOf(record)).map(([className, namespaceId]) => ({
    className,
    namespaceId,
  })),
  assets: record.version.assets,
});
