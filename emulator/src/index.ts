import { app } from "./app";

export { TenantAnalytics } from "./analytics-engine/binding";
export { AnalyticsStore } from "./analytics-engine/store";
export { TenantAssets } from "./assets/binding";
export { CustomHostnamesStore } from "./custom-hostnames/store";
export { TenantD1 } from "./d1/binding";
export { D1DatabaseObject } from "./d1/store";
export { DispatchNamespace, ScriptRunner } from "./dispatch/dispatch-namespace";
export { TenantEgress } from "./dispatch/egress";
export { RunnerSupport } from "./dispatch/runner-support";
export { TenantTail } from "./dispatch/tail";
export { TenantDurableObjects } from "./durable-objects/entrypoint";
export { TenantObjects } from "./durable-objects/tenant-objects";
export { Gate } from "./gate/store";
export { TenantKv } from "./kv/binding";
export { TenantR2Bucket } from "./r2/binding";
export { ResourcesStore } from "./resources/store";
export { WorkersStore } from "./scripts/store";

export default app;
