import { type CloudflareApiBindings, type CloudflareClient, cloudflareClientFromEnv } from "../cloudflare/client";
import type { Config } from "../config";

/**
 * The Cloudflare client the dispatcher's metering is read with: the control plane's own, but with
 * CLOUDFLARE_ANALYTICS_API_TOKEN when it is set (a read-only token, Account Analytics Read), so
 * every read of Analytics Engine uses the same token. Its calls share the API budget as any call.
 */
export function metricsReader(env: CloudflareApiBindings, config: Config): CloudflareClient {
  return cloudflareClientFromEnv(env, config.metricsClient);
}
