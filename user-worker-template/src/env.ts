/**
 * The app's Hono environment. `Env` is what `wrangler types` generates from
 * wrangler.toml into worker-configuration.d.ts: KV, BUCKET, DB, ANALYTICS,
 * the GREETING var and the API_TOKEN secret.
 */
export type AppEnv = { Bindings: Env };

/**
 * The tenant the platform's dispatcher runs this Worker for. The dispatcher
 * sets it and drops any a client sends, so it can be trusted behind it; a
 * Worker run on its own (`wrangler dev`) does not get it.
 */
export const TENANT_HEADER = "x-platform-tenant";
