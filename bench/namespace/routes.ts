/** The front Worker's routes, shared by the Worker and the bench that calls it. */

/** `/ns/<script>`: the script, through the emulator's dispatch namespace. */
export const NAMESPACE_PREFIX = "/ns/";
/** The tenant code loaded straight into the Worker Loader, without the namespace layer. */
export const DIRECT_PATH = "/direct";
/** Answered by the front Worker itself: what HTTP, wrangler's dev proxy and the client cost on their own. */
export const FRONT_PATH = "/front";
export const FRONT_ANSWER = "front";
