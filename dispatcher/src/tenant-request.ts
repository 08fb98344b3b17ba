import { VERSION_KEY_HEADER, VERSION_OVERRIDES_HEADER } from "../../cloudflare-api/versions";
import { withoutAffinityCookie } from "./versions";

/** Tells the tenant's Worker which tenant it runs for. */
export const TENANT_HEADER = "x-platform-tenant";
/** Ties a request to its metering data point and the platform's logs; sent to the tenant and back to the client. */
export const REQUEST_ID_HEADER = "x-platform-request-id";
/** Every header with this prefix is the platform's: a client cannot send one. */
const PLATFORM_PREFIX = "x-platform-";
/** Would let a client pick which version of a tenant's Worker runs (gradual deployments). */
const VERSION_HEADERS = new Set([VERSION_OVERRIDES_HEADER, VERSION_KEY_HEADER]);

/** Methods whose requests carry no body: a Request with one of them cannot be built with a body. */
const BODILESS_METHODS = new Set(["GET", "HEAD"]);

/** Whether the tenant's request must be built without a body, whatever the client sent. */
export const isBodiless = (method: string): boolean => BODILESS_METHODS.has(method);

/**
 * Whether a GET or HEAD carries a body of at least one byte. The runtime hands
 * such a request over (a GET with `Content-Length: 5` and five bytes has a
 * body), but no Request can be built from it to pass on: `new Request` throws.
 * It is refused (400) rather than passed on without its body: RFC 9110 gives a
 * GET's content no meaning and lets a server reject it (a body the origin does
 * not expect is how requests are smuggled), and a client that sent one meant
 * something by it, which dropping it would silently lose. An empty body (a
 * chunked GET with no chunks) is no body: only a byte makes it one, so the
 * first chunk is read, and the rest left unread.
 */
export async function carriesForbiddenBody(request: Request): Promise<boolean> {
  if (!isBodiless(request.method) || request.body === null) return false;
  const reader = request.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return false;
      if (value.byteLength > 0) return true;
    }
  } finally {
    // Nothing of it is passed on either way: the tenant's request is built without a body.
    reader.cancel().catch(() => {});
  }
}

export function newRequestId(): string {
  return crypto.randomUUID();
}

/**
 * The request as the tenant's Worker gets it: at `url` (the path mode strips
 * its prefix), the client's method, body (streamed, not read) and headers,
 * less those a client must not set and the platform's affinity cookie, plus
 * the tenant, the request id and the platform's own version headers
 * (`versions.ts`). Redirects are the client's to follow, not the platform's.
 */
export function tenantRequest(
  request: Request,
  url: URL,
  body: ReadableStream | null,
  tenantId: string,
  requestId: string,
  versionHeaders: readonly [name: string, value: string][] = [],
): Request {
  const headers = new Headers(request.headers);
  for (const name of [...headers.keys()]) {
    if (name.startsWith(PLATFORM_PREFIX) || VERSION_HEADERS.has(name)) headers.delete(name);
  }
  const cookie = headers.get("cookie");
  if (cookie !== null) {
    const kept = withoutAffinityCookie(cookie);
    if (kept === null) headers.delete("cookie");
    else headers.set("cookie", kept);
  }
  for (const [name, value] of versionHeaders) headers.set(name, value);
  headers.set(TENANT_HEADER, tenantId);
  headers.set(REQUEST_ID_HEADER, requestId);
  // `cf` (the client's country, colo, TLS, bot score…) is what the tenant's Worker would read on a request of its own.
  return new Request(url, { method: request.method, headers, body, redirect: "manual", cf: request.cf });
}

/** `response` with the request id header, and a cookie the platform sets (a WebSocket upgrade keeps its socket). */
export function withRequestId(
  response: Response,
  requestId: string,
  body: ReadableStream | null = response.body,
  setCookie: string | null = null,
): Response {
  const headers = new Headers(response.headers);
  headers.set(REQUEST_ID_HEADER, requestId);
  if (setCookie !== null) headers.append("set-cookie", setCookie);
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
