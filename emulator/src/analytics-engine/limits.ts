/**
 * Workers Analytics Engine's limits on one data point, as documented
 * (developers.cloudflare.com/analytics/analytics-engine/limits/, updated
 * 2026-04-23): up to twenty blobs, twenty doubles and one index per
 * writeDataPoint; all blobs together at most 16 KB; each index at most 96
 * bytes. In a module of their own so that the client (binding.client.ts), built
 * with them, throws at the numbers binding.ts enforces again where it stores the point.
 */
export const ANALYTICS_LIMITS = { indexes: 1, blobs: 20, doubles: 20, indexBytes: 96, blobBytes: 16 * 1024 } as const;
