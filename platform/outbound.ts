import { z } from "zod";
import { PlanName } from "./plans.ts";
import { TenantId } from "./routes.ts";

/**
 * What the dispatcher passes to the outbound Worker with every dispatch
 * (`outbound` of `DISPATCHER.get()`), and what the outbound Worker reads from
 * its env in production. The names must be the `parameters` of the
 * `[[dispatch_namespaces]]` binding's `outbound` in the root wrangler.toml.
 */
export const OutboundParams = z.object({ tenantId: TenantId, plan: PlanName });
export type OutboundParams = z.infer<typeof OutboundParams>;
export const OUTBOUND_PARAMETERS = Object.keys(OutboundParams.shape) as (keyof OutboundParams)[];
