import { app } from "./app";

export { TenantAnalytics } from "./namespace/bindings/analytics-engine";
export { TenantD1 } from "./namespace/bindings/d1";
export { TenantKv } from "./namespace/bindings/kv";
export { TenantR2Bucket } from "./namespace/bindings/r2";
export { DispatchNamespace, ScriptRunner } from "./namespace/dispatch-namespace";
export { TenantEgress } from "./namespace/egress";
export { AnalyticsStore } from "./store/analytics-store";
export { D1DatabaseObject } from "./store/d1-database";
export { Gate } from "./store/gate-store";
export { ResourcesStore } from "./store/resources-store";
export { WorkersStore } from "./store/workers-store";

export default app;
