import { z } from "zod";

/**
 * Cloudflare for SaaS custom hostnames (`/zones/{zone_id}/custom_hostnames`), the fields the
 * platform reads, after the `cloudflare` SDK's custom-hostnames resource. Unknown fields pass.
 */

/** A custom hostname's own status; `active` is the only one the platform serves. */
export const CustomHostnameStatus = z.enum([
  "active",
  "pending",
  "active_redeploying",
  "moved",
  "pending_deletion",
  "deleted",
  "pending_blocked",
  "pending_migration",
  "pending_provisioned",
  "test_pending",
  "test_active",
  "test_active_apex",
  "test_blocked",
  "test_failed",
  "provisioned",
  "blocked",
]);
export type CustomHostnameStatus = z.infer<typeof CustomHostnameStatus>;

/** Its certificate's status. */
export const CustomHostnameSslStatus = z.enum([
  "initializing",
  "pending_validation",
  "deleted",
  "pending_issuance",
  "pending_deployment",
  "pending_deletion",
  "pending_expiration",
  "expired",
  "active",
  "initializing_timed_out",
  "validation_timed_out",
  "issuance_timed_out",
  "deployment_timed_out",
  "deletion_timed_out",
  "pending_cleanup",
  "staging_deployment",
  "staging_active",
  "deactivating",
  "inactive",
  "backup_issued",
  "holding_deployment",
]);
export type CustomHostnameSslStatus = z.infer<typeof CustomHostnameSslStatus>;

/** How the certificate's domain control is validated: a token served over HTTP, or a TXT record. */
export const DcvMethod = z.enum(["http", "txt"]);
export type DcvMethod = z.infer<typeof DcvMethod>;

/** What the certificate authority checks: one of the two pairs is set, per the method. */
export const ValidationRecord = z.object({
  txt_name: z.string().optional(),
  txt_value: z.string().optional(),
  http_url: z.string().optional(),
  http_body: z.string().optional(),
});
export type ValidationRecord = z.infer<typeof ValidationRecord>;

export const CustomHostname = z.object({
  id: z.string().min(1),
  hostname: z.string().min(1),
  status: CustomHostnameStatus.optional(),
  verification_errors: z.array(z.string()).optional(),
  ownership_verification: z
    .object({ type: z.literal("txt").optional(), name: z.string().optional(), value: z.string().optional() })
    .optional(),
  ownership_verification_http: z
    .object({ http_url: z.string().optional(), http_body: z.string().optional() })
    .optional(),
  ssl: z
    .object({
      id: z.string().optional(),
      status: CustomHostnameSslStatus.optional(),
      method: DcvMethod.optional(),
      type: z.literal("dv").optional(),
      validation_records: z.array(ValidationRecord).optional(),
      validation_errors: z.array(z.object({ message: z.string().optional() })).optional(),
    })
    .optional(),
  created_at: z.string().optional(),
  custom_metadata: z.record(z.string(), z.string()).optional(),
});
export type CustomHostname = z.infer<typeof CustomHostname>;
