/**
 * The compatibility date of the platform's Workers and of the tenant scripts its tests and benches
 * upload. The wrangler configs (TOML) repeat it, and the control plane's TENANT_COMPATIBILITY_DATE
 * var says which date tenants get; TypeScript uses this constant.
 */
export const COMPATIBILITY_DATE = "2026-11-01";
