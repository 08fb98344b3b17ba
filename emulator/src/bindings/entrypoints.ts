import { TenantAnalytics } from "../analytics-engine/binding";
import { TenantAssets } from "../assets/binding";
import { TenantD1 } from "../d1/binding";
import { TenantKv } from "../kv/binding";
import { TenantR2Bucket } from "../r2/binding";

/**
 * The entrypoints tenant-scoped binding stubs are made from
 * (`exports.TenantKv({ props })`), by export name. A runner process
 * (src/runner) exports entrypoints of the same names that forward each call
 * here, to the emulator, where the stores are.
 */
export const TENANT_BINDING_ENTRYPOINTS = {
  TenantKv,
  TenantR2Bucket,
  TenantD1,
  TenantAnalytics,
  TenantAssets,
} as const;
export type TenantBindingEntrypoint = keyof typeof TENANT_BINDING_ENTRYPOINTS;

/** Each entrypoint's own public methods, read once: RunnerSupport checks every binding call against them. */
const CALLABLE = new Map(
  Object.entries(TENANT_BINDING_ENTRYPOINTS).map(([name, { prototype }]) => [
    name,
    Object.getOwnPropertyNames(prototype).filter(
      (method) =>
        method !== "constructor" && typeof Object.getOwnPropertyDescriptor(prototype, method)?.value === "function",
    ),
  ]),
);

/** The methods a binding's stub can be called with: the entrypoint class's own public methods. */
export const callableMethods = (entrypoint: TenantBindingEntrypoint): readonly string[] =>
  CALLABLE.get(entrypoint) ?? [];

export const isTenantBindingEntrypoint = (name: string): name is TenantBindingEntrypoint =>
  Object.hasOwn(TENANT_BINDING_ENTRYPOINTS, name);
