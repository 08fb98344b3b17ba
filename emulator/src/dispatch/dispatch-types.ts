/** Which namespace of which account a `DISPATCHER` binding points at (set as props on the service binding). */
export interface NamespaceProps {
  accountId: string;
  namespace: string;
  /** Present when the binding has an outbound worker, as `outbound` on a `[[dispatch_namespaces]]` binding. */
  outbound?: boolean;
  /**
   * Set when the binding comes from another `wrangler dev` process: `get()`
   * then hands back an RPC handle, as the dev registry cannot carry a Fetcher,
   * and WebSocket upgrades cannot pass.
   */
  crossProcess?: boolean;
  /**
   * Present when the dispatch Worker names a tail consumer (production's
   * `tail_consumers`): the trace events of the scripts it dispatches to go to
   * the platform's tail Worker (the emulator's TAIL binding).
   */
  tail?: boolean;
}

/**
 * On a WebSocket upgrade the local dispatcher sends to the binding's own
 * `fetch()` (dispatcher/src/local.ts): which script, with which `get()`
 * options, as JSON. The dev registry carries an upgrade on a service binding's
 * `fetch()`, but not the Fetcher `get()` hands back within one process.
 */
export const LOCAL_DISPATCH_HEADER = "x-wfp-local-dispatch";

/** The third argument of `DISPATCHER.get()`, as Cloudflare documents it. */
export interface DispatchOptions {
  limits?: { cpuMs?: number; subRequests?: number };
  outbound?: Record<string, unknown>;
}
