import type { VersionAssets } from "../assets/version-assets";
import type { StoredBinding } from "../bindings/kind";
import type { DeclaredClass } from "./shim";

/** A module as stored with an upload: its part name, content type, and where its body lives in SCRIPT_MODULES. */
export interface StoredModule {
  name: string;
  type: string;
  r2Key: string;
}

/** Everything needed to run an uploaded script, as WorkersStore.getRunnableScript returns it (secret values included: internal only). */
export interface RunnableScript {
  /** The script's own id, kept by every version: a script deleted and made again has a new one. */
  tag: string;
  etag: string;
  /** Null: no code, only static assets (assets/router.ts never runs it). */
  mainModule: string | null;
  modules: StoredModule[];
  compatibilityDate: string;
  compatibilityFlags: string[];
  bindings: StoredBinding[];
  limits?: { cpu_ms?: number; subrequests?: number } | undefined;
  /** The script's Durable Object classes, each with the namespace its objects live in. */
  objectClasses: DeclaredClass[];
  /** The version's static assets, served before (or instead of) its Worker (assets/router.ts). */
  assets?: VersionAssets | undefined;
}
