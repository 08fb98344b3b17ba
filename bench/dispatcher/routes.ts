/** The dispatcher bench's front Worker routes, shared by the Worker and the bench that calls it. */

/** Everything below this is the bench's, not the dispatcher's. */
export const BENCH_PREFIX = "/__bench/";
/** `/__bench/direct/<script>`: the tenant's Worker through the namespace, without the dispatcher. */
export const DIRECT_PREFIX = "/__bench/direct/";
/** How many times the dispatcher has read its routing table. */
export const KV_READS_PATH = "/__bench/kv-reads";
/** POST `[{hostname, route}]`: writes routes into the routing table, as the control plane would. */
export const ROUTES_PATH = "/__bench/routes";
/** `/__bench/tailed/<tenant>/...`: through the dispatcher, with the tail consumer on. */
export const TAILED_PREFIX = "/__bench/tailed/";
/** `/__bench/logs/<tenant>`: the tail Worker's page of the tenant's events (one, the newest). */
export const LOGS_PREFIX = "/__bench/logs/";
