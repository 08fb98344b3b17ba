/** Tells the tenant's Worker which tenant it runs for. */
export const TENANT_HEADER = "x-platform-tenant";
/** Ties a request to its metering data point and the platform's logs; sent to the tenant and back to the client. */
export const REQUEST_ID_HEADER = "x-platform-request-id";
/** Every header with this prefix is the platform's: a client cannot send one. */
const PLATFORM_PREFIX = "x-platform-";
/** Would let a client pick which version of a tenant's Worker runs (gradual deployments). */
const VERSION_HEADERS = new Set(["cloudflare-workers-version-overrides", "cloudflare-workers-version-key"]);

export function newRequestId(): string {
  return crypto.randomUUID();
}

/**
 * The request as the tenant's Worker gets it: at `url` (the path mode strips
 * its prefix), the client's method, body (streamed, not read) and headers,
 * less those a client must not set, plus the tenant and the request id.
 * Redirects are the client's to follow, not the platform's.
 */
export function tenantRequest(
  request: Request,
  url: URL,
  body: ReadableStream | null,
  tenantId: string,
  requestId: string,
): Request {
  const headers = new Headers(request.headers);
  for (const name of [...headers.keys()]) {
    if (name.startsWith(PLATFORM_PREFIX) || VERSION_HEADERS.has(name)) headers.delete(name);
  }
  headers.set(TENANT_HEADER, tenantId);
  headers.set(REQUEST_ID_HEADER, requestId);
  return new Request(url, { method: request.method, headers, body, redirect: "manual" });
}

/** `response` with the request id header (a WebSocket upgrade keeps its socket). */
export function withRequestId(
  response: Response,
  requestId: string,
  body: ReadableStream | null = response.body,
): Response {
  const headers = new Headers(response.headers);
  headers.set(REQUEST_ID_HEADER, requestId);
  if (response.webSocket !== null) {
    return new Response(null, {
      status: response.status,
      statusText: response.statusText,
      headers,
      webSocket: response.webSocket,
    });
  }
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
}
