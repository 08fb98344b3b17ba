import { z } from "zod";
import { DcvMethod } from "./custom-hostnames";

/**
 * What a client sends to `/zones/{zone_id}/custom_hostnames`, after the `cloudflare` SDK's
 * `CustomHostnameCreateParams` / `CustomHostnameEditParams` and `FallbackOriginUpdateParams`
 * (node_modules/cloudflare/resources/custom-hostnames/*.d.ts). Answers are `CustomHostname`
 * (custom-hostnames.ts).
 */

/** The certificate a hostname asks for: only DV certificates are issued for custom hostnames. */
export const CustomHostnameSslRequest = z.object({
  method: DcvMethod,
  type: z.literal("dv").default("dv"),
  settings: z.record(z.string(), z.unknown()).optional(),
  bundle_method: z.enum(["ubiquitous", "optimal", "force"]).optional(),
  wildcard: z.boolean().optional(),
});
export type CustomHostnameSslRequest = z.infer<typeof CustomHostnameSslRequest>;

/** `GET …/custom_hostnames` paging (the OpenAPI schema's `per_page`: 5 to 50, default 20). */
export const CUSTOM_HOSTNAMES_PER_PAGE = { min: 5, max: 50, default: 20 } as const;

export const CustomMetadata = z.record(z.string(), z.string());

export const CustomHostnameCreateBody = z.object({
  hostname: z.string().min(1).max(255),
  ssl: CustomHostnameSslRequest,
  custom_metadata: CustomMetadata.optional(),
});
export type CustomHostnameCreateBody = z.infer<typeof CustomHostnameCreateBody>;

export const CustomHostnameEditBody = z.object({
  ssl: CustomHostnameSslRequest.optional(),
  custom_metadata: CustomMetadata.optional(),
  custom_origin_server: z.string().optional(),
});
export type CustomHostnameEditBody = z.infer<typeof CustomHostnameEditBody>;

export const FallbackOriginBody = z.object({ origin: z.string().min(1).max(255) });

/** The zone's fallback origin, as `FallbackOriginGetResponse`. */
export const FallbackOrigin = z.object({
  origin: z.string().optional(),
  status: z
    .enum([
      "initializing",
      "pending_deployment",
      "pending_deletion",
      "active",
      "deployment_timed_out",
      "deletion_timed_out",
    ])
    .optional(),
  errors: z.array(z.string()).optional(),
  created_at: z.string().optional(),
  updated_at: z.string().optional(),
});
export type FallbackOrigin = z.infer<typeof FallbackOrigin>;

/** `GET /zones`' zone, the fields the platform reads (the SDK's `Zone`). */
export const Zone = z.object({
  id: z.string(),
  name: z.string(),
  status: z.string(),
  account: z.object({ id: z.string(), name: z.string() }),
  type: z.string(),
  paused: z.boolean(),
  name_servers: z.array(z.string()),
  created_on: z.string(),
  modified_on: z.string(),
});
export type Zone = z.infer<typeof Zone>;

/**
 * The ways `GET …/custom_hostnames` narrows its list, one at a time (the SDK's
 * `CustomHostnameListParams`: `id`, `hostname`, and `hostname.exact|contain|startsWith`, which it
 * sends as dotted query keys). `hostname` is the older exact match.
 */
export const CUSTOM_HOSTNAME_LIST_FILTERS = {
  id: "id",
  hostname: "exact",
  "hostname.exact": "exact",
  "hostname.contain": "contain",
  "hostname.startsWith": "startsWith",
} as const;
export type CustomHostnameListFilter = {
  readonly match: (typeof CUSTOM_HOSTNAME_LIST_FILTERS)[keyof typeof CUSTOM_HOSTNAME_LIST_FILTERS];
  readonly value: string;
};
