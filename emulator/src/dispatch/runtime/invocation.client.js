// @ts-check
// Shipped into every loaded tenant worker. It holds the current invocation
// (the request being served) so that the egress patch and binding clients can
// attribute work to it: an isolate serves many requests at once, and only
// AsyncLocalStorage can tell them apart.
import { AsyncLocalStorage } from "node:async_hooks";

/** @typedef {{ id: string | undefined, ctx: ExecutionContext }} Invocation */

/** @type {AsyncLocalStorage<Invocation>} */
export const invocations = new AsyncLocalStorage();

/**
 * Keeps a background promise alive until it settles, as the runtime does for
 * the real bindings' fire-and-forget writes.
 * @param {Promise<unknown>} promise
 */
export function track(promise) {
  const invocation = invocations.getStore();
  if (invocation) invocation.ctx.waitUntil(promise.catch(() => {}));
  else promise.catch(() => {});
}
