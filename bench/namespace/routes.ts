/** The front Worker's routes, shared by the Worker and the bench that calls it. */

/** `/ns/<script>`: the script, through the emulator's dispatch namespace. */
export const NAMESPACE_PREFIX = "/ns/";
/**
 * `/ns-get/<script>`: only the namespace's `get()` (the RPC into its entrypoint, which hands back the
 * script's Fetcher), no `fetch()`; answers the script's name. What the layer's first hop costs.
 */
export const NAMESPACE_GET_PREFIX = "/ns-get/";
/**
 * `/bare/<n>`: a bare worker named `bare-<n>` with the tenant code only, loaded straight into the
 * Worker Loader (as `/direct` is, under another name each): what one loaded worker costs in memory
 * with nothing of the emulator's in it.
 */
export const BARE_PREFIX = "/bare/";
/** The tenant code loaded straight into the Worker Loader, without the namespace layer. */
export const DIRECT_PATH = "/direct";
/** Answered by the front Worker itself: what HTTP, wrangler's dev proxy and the client cost on their own. */
export const FRONT_PATH = "/front";
export const FRONT_ANSWER = "front";
