import type { CustomHostname } from "../../../cloudflare-api/custom-hostnames";

/** The metadata key naming the tenant a custom hostname was made for: how a lost create is told apart from another's. */
export const TENANT_METADATA_KEY = "tenant_id";

/** Whether the zone's custom hostname was made for this tenant (by the control plane, for it). */
export const isMadeFor = (answer: CustomHostname, tenantId: string): boolean =>
  answer.custom_metadata?.[TENANT_METADATA_KEY] === tenantId;

/** Why a hostname the zone has for someone else (another tenant, or made by hand) cannot be the tenant's. */
export const takenOnZone = (hostname: string): string =>
  `${hostname} is already a custom hostname on the platform's zone, not made for this tenant`;
