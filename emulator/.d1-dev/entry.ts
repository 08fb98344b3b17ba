// TEMPORARY (d1 helper's local harness, deleted before handing back): what the lead's two edits will do.
import { bindingKinds } from "../src/namespace/bindings";
import { d1Binding } from "../src/namespace/bindings/d1";
import type { BindingKind } from "../src/namespace/bindings/kind";

(bindingKinds as Map<string, BindingKind>).set("d1", d1Binding);

export {
  AnalyticsStore,
  D1DatabaseObject,
  DispatchNamespace,
  default,
  Gate,
  ResourcesStore,
  TenantAnalytics,
  TenantEgress,
  TenantKv,
  TenantR2Bucket,
  WorkersStore,
} from "../src/index";
export { TenantD1 } from "../src/namespace/bindings/d1";
