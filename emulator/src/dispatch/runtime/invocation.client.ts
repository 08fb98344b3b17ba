// Shipped into every loaded tenant worker. It holds the current invocation
// (the request being served) so that the egress patch and binding clients can
// attribute work to it: an isolate serves many requests at once, and only
// AsyncLocalStorage can tell them apart.
import { AsyncLocalStorage } from "node:async_hooks";

export interface Invocation {
  id: string | undefined;
  ctx: ExecutionContext;
}

export const invocations = new AsyncLocalStorage<Invocation>();

/**
 * Keeps a background promise alive until it settles, as the runtime does for
 * the real bindings' fire-and-forget writes.
 */
export function track(promise: Promise<unknown>): void {
  const invocation = invocations.getStore();
  if (invocation) invocation.ctx.waitUntil(promise.catch(() => {}));
  else promise.catch(() => {});
}
