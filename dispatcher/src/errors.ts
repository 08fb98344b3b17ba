/** The dispatcher's own answers when it cannot hand the request to a tenant's Worker, or the Worker fails. */
export const ERRORS = {
  tenant_not_found: { status: 404, message: "No tenant is served at this address." },
  tenant_not_deployed: { status: 404, message: "This tenant has no Worker deployed." },
  tenant_suspended: { status: 403, message: "This tenant is suspended." },
  hostname_pending: {
    status: 503,
    message: "This domain is being set up: its DNS records and certificate are not verified yet. Try again later.",
  },
  limit_exceeded: { status: 503, message: "The tenant's Worker exceeded a resource limit of its plan." },
  tenant_error: { status: 502, message: "The tenant's Worker failed to handle the request." },
  method_not_allowed: { status: 405, message: "This path answers GET and HEAD only." },
  body_not_allowed: { status: 400, message: "A GET or HEAD request cannot carry a body." },
  platform_error: { status: 500, message: "The platform failed to handle the request." },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/**
 * Seconds a client should wait before asking a pending hostname again: Cloudflare
 * checks a custom hostname's records within minutes, so a minute is the useful cadence.
 */
export const PENDING_RETRY_AFTER_SECONDS = 60;

/** Headers an error's answer carries besides its body, whatever the format. */
function errorHeaders(code: ErrorCode): Record<string, string> {
  if (code === "method_not_allowed") return { allow: "GET, HEAD" };
  if (code === "hostname_pending") return { "retry-after": String(PENDING_RETRY_AFTER_SECONDS) };
  return {};
}

/** Thrown anywhere on the way to a tenant; the dispatcher answers with the code's status and message. */
export class PlatformError extends Error {
  override readonly name = "PlatformError";

  constructor(
    readonly code: ErrorCode,
    options?: { cause?: unknown },
  ) {
    super(ERRORS[code].message, options);
  }
}

/** `q` of the most specific range in an Accept header that matches `type` ("text/html"), 0 if none does. */
function quality(ranges: { range: string; q: number }[], type: string): number {
  const [major] = type.split("/");
  let best = { specificity: -1, q: 0 };
  for (const { range, q } of ranges) {
    const specificity = range === type ? 2 : range === `${major}/*` ? 1 : range === "*/*" ? 0 : -1;
    if (specificity > best.specificity) best = { specificity, q };
  }
  return best.q;
}

/** Whether the client prefers HTML to JSON: a browser does (`text/html` before `*\/*;q=0.8`), curl and fetch do not. */
export function prefersHtml(accept: string | null): boolean {
  if (accept === null) return false;
  const ranges = accept.split(",").map((part) => {
    const [range = "", ...params] = part.split(";").map((s) => s.trim().toLowerCase());
    const q = params.find((p) => p.startsWith("q="));
    const value = q === undefined ? 1 : Number(q.slice(2));
    return { range, q: Number.isFinite(value) ? value : 0 };
  });
  return quality(ranges, "text/html") > quality(ranges, "application/json");
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * The answer for an error: `{"error": {"code", "message", "requestId"}}`, or
 * a small HTML page with the same when the client prefers HTML. Only the
 * code's fixed message is ever shown: what a tenant's Worker threw stays in
 * the platform's logs.
 */
export function errorResponse(code: ErrorCode, requestId: string, accept: string | null): Response {
  const { status, message } = ERRORS[code];
  const headers = errorHeaders(code);
  if (!prefersHtml(accept)) return Response.json({ error: { code, message, requestId } }, { status, headers });
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>${status} ${escapeHtml(code)}</title></head>
<body>
<h1>${escapeHtml(message)}</h1>
<p>Error <code>${escapeHtml(code)}</code> (HTTP ${status}). Request id: <code>${escapeHtml(requestId)}</code>.</p>
</body>
</html>
`;
  return new Response(html, { status, headers: { ...headers, "content-type": "text/html; charset=utf-8" } });
}
