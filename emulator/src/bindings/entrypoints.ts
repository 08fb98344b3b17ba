import { TenantAnalytics } from "../analytics-engine/binding";
import { TenantD1 } from "../d1/binding";
import { TenantKv } from "../kv/binding";
import { TenantR2Bucket } from "../r2/binding";

/**
 * The entrypoints tenant-scoped binding stubs are made from
 * (`exports.TenantKv({ props })`), by export name. A runner process
 * (src/runner) exports entrypoints of the same names that forward each call
 * here, to the emulator, where the stores are.
 */
export const TENANT_BINDING_ENTRYPOINTS = { TenantKv, TenantR2Bucket, TenantD1, TenantAnalytics } as const;
export type TenantBindingEntrypoint = keyof typeof TENANT_BINDING_ENTRYPOINTS;

/** The methods a binding's stub can be called with: the entrypoint class's own public methods. */
export function callableMethods(entrypoint: TenantBindingEntrypoint): readonly string[] {
  const { prototype } = TENANT_BINDING_ENTRYPOINTS[entrypoint];
  return Object.getOwnPropertyNames(prototype).filter(
    (name) => name !== "constructor" && typeof Object.getOwnPropertyDescriptor(prototype, name)?.value === "function",
  );
}

export const isTenantBindingEntrypoint = (name: string): name is TenantBindingEntrypoint =>
  Object.hasOwn(TENANT_BINDING_ENTRYPOINTS, name);
