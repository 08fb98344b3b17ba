import type { RunScope } from "../bindings/kind";

/**
 * How a call finds a tenant's object, from the tenant's stub to the host object
 * (host.ts) that runs it. Imported by the binding client shipped into tenant
 * workers and by the emulator: both must agree.
 */

/** On a stub's `fetch()`, which object of the binding's namespace it is for (the client sets it over any the tenant sent). */
export const OBJECT_HEADER = "x-wfp-object";
/** On the request the entrypoint hands the host: the whole target (ObjectTarget), set by the emulator only. */
export const TARGET_HEADER = "x-wfp-object-target";

/** The object a stub was made for, as the tenant's client sends it. */
export interface ObjectAddress {
  /** The id's 64 hex digits. */
  id: string;
  /** The name it was made from, for `idFromName`/`getByName` stubs. */
  name: string | null;
}

/** An object of one script, as the host is asked to run it. Built by the emulator from the stub's props, never by a tenant. */
export interface ObjectTarget extends ObjectAddress {
  scope: RunScope;
  /** The version the caller runs: the host starts it if it runs an older one. */
  etag: string;
  namespaceId: string;
}

/** One host object per script: its name in the host namespace, from which no two scripts' can be the same. */
export const hostName = (scope: RunScope): string => JSON.stringify([scope.accountId, scope.namespace, scope.script]);
