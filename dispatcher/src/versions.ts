import { VERSION_KEY_HEADER, VERSION_OVERRIDES_HEADER } from "../../cloudflare-api/versions";
import type { RouteRecord } from "../../platform/routes";
/**
 * The platform's affinity cookie: one random id per browser, so that a client
 * stays on one version while a deployment splits traffic (its HTML and the
 * assets it loads from the same version). Named like the example in
 * Cloudflare's version-affinity guide; it is the platform's, so the tenant's
 * Worker never sees it.
 */
export const AFFINITY_COOKIE = "__wfp_vk";
/** What the dispatcher itself generates (a UUID), and little else: a client's cookie is only trusted in this shape. */
const AFFINITY_ID = /^[A-Za-z0-9-]{16,64}$/;
/** A year: affinity should outlive a rollout; a new deployment may reassign keys anyway. */
const AFFINITY_MAX_AGE_S = 31_536_000;

/** How a request is pinned to a version: headers for the namespace, and a cookie to hand the client. */
export interface VersionRouting {
  /** Set on the tenant's request (the client's own were stripped). */
  headers: [name: string, value: string][];
  /** A `Set-Cookie` value for the response: a new affinity id. */
  setCookie: string | null;
}

/**
 * The version headers for a request on `route`. A preview hostname's route
 * names its version: the request asks for it with an override (an RFC 8941
 * dictionary keyed by the script's name, as Cloudflare documents it). A route
 * whose deployment is split gets a version key scoped to the tenant, from the
 * client's affinity cookie or, on its first request, a new one that the
 * response sets. Otherwise nothing: the deployment's single version answers.
 */
export function versionRouting(route: RouteRecord, request: Request): VersionRouting {
  if (route.version !== undefined) {
    return { headers: [[VERSION_OVERRIDES_HEADER, `${route.scriptName}="${route.version}"`]], setCookie: null };
  }
  if (route.split !== true) return { headers: [], setCookie: null };
  const known = affinityIdOf(request.headers.get("cookie"));
  const id = known ?? crypto.randomUUID();
  return {
    headers: [[VERSION_KEY_HEADER, `${route.tenantId}:${id}`]],
    setCookie: known === null ? affinityCookie(id, new URL(request.url).protocol === "https:") : null,
  };
}

/** The affinity id a `Cookie` header carries, or null when it has none in the shape the dispatcher makes. */
export function affinityIdOf(cookieHeader: string | null): string | null {
  for (const part of cookieHeader?.split(";") ?? []) {
    const [name, ...value] = part.trim().split("=");
    if (name === AFFINITY_COOKIE) {
      const id = value.join("=");
      return AFFINITY_ID.test(id) ? id : null;
    }
  }
  return null;
}

/** `Cookie` without the platform's affinity cookie (null when nothing else is left). */
export function withoutAffinityCookie(cookieHeader: string): string | null {
  const kept = cookieHeader
    .split(";")
    .map((part) => part.trim())
    .filter((part) => part.length > 0 && part.split("=")[0] !== AFFINITY_COOKIE);
  return kept.length === 0 ? null : kept.join("; ");
}

function affinityCookie(id: string, secure: boolean): string {
  return `${AFFINITY_COOKIE}=${id}; Path=/; Max-Age=${AFFINITY_MAX_AGE_S}; HttpOnly; SameSite=Lax${secure ? "; Secure" : ""}`;
}
