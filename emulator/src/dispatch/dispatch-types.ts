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
}

/** The third argument of `DISPATCHER.get()`, as Cloudflare documents it. */
export interface DispatchOptions {
  limits?: { cpuMs?: number; subRequests?: number };
  outbound?: Record<string, unknown>;
}
