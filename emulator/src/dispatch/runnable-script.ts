import type { StoredBinding } from "../bindings/kind";

/** A module as stored with an upload: its part name, content type, and where its body lives in SCRIPT_MODULES. */
export interface StoredModule {
  name: string;
  type: string;
  r2Key: string;
}

/** Everything needed to run an uploaded script, as WorkersStore.getRunnableScript returns it (secret values included: internal only). */
export interface RunnableScript {
  etag: string;
  mainModule: string;
  modules: StoredModule[];
  compatibilityDate: string;
  compatibilityFlags: string[];
  bindings: StoredBinding[];
  limits?: { cpu_ms?: number; subrequests?: number } | undefined;
}
