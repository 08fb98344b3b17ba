/** Which namespace of which account a `DISPATCHER` binding points at (set as props on the service binding). */
export interface NamespaceProps {
  accountId: string;
  namespace: string;
  /** Present when the binding has an outbound worker, as `outbound` on a `[[dispatch_namespaces]]` binding. */
  outbound?: boolean;
}

/** The third argument of `DISPATCHER.get()`, as Cloudflare documents it. */
export interface DispatchOptions {
  limits?: { cpuMs?: number; subRequests?: number };
  outbound?: Record<string, unknown>;
}
