import { unstable_readConfig } from "wrangler";
import { CONTROL_PLANE } from "../../scripts/lib/platform.ts";

/** The local control plane's `[vars]` (control-plane/wrangler.local.toml): where it deploys tenants. */
function controlPlaneVar(name: string): string {
  const vars = unstable_readConfig({ config: CONTROL_PLANE.configPath }).vars as Record<string, unknown>;
  return String(vars[name]);
}

/** Where the local control plane deploys tenants' scripts: its account and dispatch namespace. */
export const tenantsNamespace = (): { accountId: string; namespace: string } => ({
  accountId: controlPlaneVar("CLOUDFLARE_ACCOUNT_ID"),
  namespace: controlPlaneVar("DISPATCH_NAMESPACE"),
});

/** The zone the local control plane puts tenants' own domains on: its CLOUDFLARE_ZONE_ID. */
export const platformZoneId = (): string => controlPlaneVar("CLOUDFLARE_ZONE_ID");
