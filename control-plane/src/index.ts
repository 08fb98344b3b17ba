import { app } from "./app";

export { ApiBudget } from "./cloudflare/budget";
export { TenantOperations } from "./operations/tenant-operations";
export { Rollout } from "./rollouts/rollout";

/** The platform's tenant-onboarding API (see app.ts); the Durable Objects that run its operations. */
export default app;
