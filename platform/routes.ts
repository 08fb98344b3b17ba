import { z } from "zod";
import { ScriptName } from "../cloudflare-api/names.ts";
import { normalizeHostname } from "./hostnames.ts";
import { PlanName } from "./plans.ts";

/** 3 to 32 characters: one DNS label short enough for every derived resource name (`t-<id>-kv`). */
export const TENANT_ID = /^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]$/;

/**
 * A tenant's id: one DNS label, so that `<tenantId>.<platform domain>` is its
 * hostname, and short enough for every resource name derived from it.
 */
export const TenantId = z
  .string()
  .regex(
    TENANT_ID,
    "tenant ids are 3 to 32 lowercase letters, digits or inner hyphens (^[a-z0-9][a-z0-9-]{1,30}[a-z0-9]$)",
  )
  .brand<"TenantId">();
export type TenantId = z.infer<typeof TenantId>;

/**
 * `suspended`: the tenant's hostnames answer 403 `tenant_suspended` and its Worker is not run.
 * `pending`: a custom hostname whose Cloudflare for SaaS validation is not done yet; it answers
 * 503 `hostname_pending` (the domain is being set up) until the control plane marks it active.
 */
export const RouteStatus = z.enum(["active", "suspended", "pending"]);
export type RouteStatus = z.infer<typeof RouteStatus>;

/** A version of a tenant's script, as the Cloudflare API names it: a UUID. */
export const VersionId = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, "a version id is a lowercase UUID")
  .brand<"VersionId">();
export type VersionId = z.infer<typeof VersionId>;

/** The value stored under each hostname in the routing table (the ROUTES KV namespace), as JSON. */
export const RouteRecord = z.object({
  tenantId: TenantId,
  scriptName: ScriptName,
  plan: PlanName,
  status: RouteStatus,
  /**
   * Set on a version's preview hostname (`previewHostname`) alone: the
   * dispatcher asks for this version (`Cloudflare-Workers-Version-Overrides`),
   * which the API honours only while it is in the script's deployment.
   */
  version: VersionId.optional(),
  /**
   * The script's deployment splits traffic between two versions: the
   * dispatcher keeps each client on one (`Cloudflare-Workers-Version-Key`
   * from an affinity cookie it sets).
   */
  split: z.boolean().optional(),
});
export type RouteRecord = z.infer<typeof RouteRecord>;

/** Every routing table key starts with this, so the namespace can hold other things and list routes alone. */
export const ROUTE_KEY_PREFIX = "host:";

/**
 * The routing table key of a hostname (normalized first: `Acme.Example.COM:443`
 * and `acme.example.com` share one key). Throws for something that is not a hostname.
 */
export function routeKey(hostname: string): string {
  const normalized = normalizeHostname(hostname);
  if (normalized === null) throw new TypeError(`"${hostname}" is not a hostname`);
  return `${ROUTE_KEY_PREFIX}${normalized}`;
}

/**
 * Joins a version's short id to a tenant id in a preview hostname's first
 * label. New tenant ids cannot hold it (`NewTenantId`), so a preview hostname
 * is never a tenant's own, and a tenant's custom hostnames under the platform
 * domain are names under its own hostname, never beside it.
 */
export const PREVIEW_SEPARATOR = "--";

/** The hostname at which one version of a tenant's script answers: `<first 8 hex of its id>--<tenant>.<domain>`. */
export function previewHostname(versionId: string, tenantId: string, platformDomain: string): string {
  return `${versionId.slice(0, 8)}${PREVIEW_SEPARATOR}${tenantId}.${platformDomain}`;
}

/** The hostname a tenant gets on the platform's domain, which the path mode (`/<tenant>/...`) looks up too. */
export function tenantHostname(tenantId: string, platformDomain: string): string {
  return `${tenantId}.${platformDomain}`;
}
