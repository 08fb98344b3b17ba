import { z } from "zod";

/**
 * A hostname as the routing table keys it: lowercase, no port, no trailing
 * dot, internationalized names in punycode. The WHATWG URL parser does the
 * work, so a hostname normalized here matches `new URL(request.url).hostname`.
 * Returns null for anything that is not a hostname.
 */
export function normalizeHostname(input: string): string | null {
  if (input.length === 0 || /[/?#@\s\\]/.test(input)) return null;
  let url: URL;
  try {
    url = new URL(`http://${input}`);
  } catch {
    return null;
  }
  const hostname = url.hostname.replace(/\.$/, "");
  return hostname.length > 0 && hostname.length <= 253 ? hostname : null;
}

export const Hostname = z.string().transform((input, ctx) => {
  const hostname = normalizeHostname(input);
  if (hostname === null) {
    ctx.addIssue({ code: "custom", message: `"${input}" is not a hostname` });
    return z.NEVER;
  }
  return hostname;
});

/** One DNS label: what a tenant's subdomain (`<tenant>.<platform domain>`) can be. */
export { DNS_LABEL } from "../cloudflare-api/names.ts";
