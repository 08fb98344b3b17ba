import type { Zone } from "../../../cloudflare-api/custom-hostname-requests";

/**
 * The emulator's one zone: the platform's own (Cloudflare for SaaS is enabled on it). Its id is a
 * fixed constant, so a local config (control-plane/wrangler.local.toml's CLOUDFLARE_ZONE_ID) can name
 * it without asking; every account the emulator serves sees the same zone, as every account in a
 * local platform is the operator's.
 */
export const PLATFORM_ZONE_ID = "5aa50000000000000000000000000001";
/** The platform's domain locally (control-plane/wrangler.local.toml's PLATFORM_DOMAIN). */
export const PLATFORM_ZONE_NAME = "localhost";
/** When the zone "was created": fixed, so answers do not change between runs. */
const ZONE_CREATED = "2026-01-01T00:00:00.000000Z";
/** The account a zone listing names when the caller did not filter by one. */
const DEFAULT_ZONE_ACCOUNT = "00000000000000000000000000000000";

/** The zone as `GET /zones` answers it; `accountId` is the caller's `account.id` filter, if any. */
export const platformZone = (accountId = DEFAULT_ZONE_ACCOUNT): Zone => ({
  id: PLATFORM_ZONE_ID,
  name: PLATFORM_ZONE_NAME,
  status: "active",
  account: { id: accountId, name: "Emulated account" },
  type: "full",
  paused: false,
  name_servers: ["ns1.emulator.local", "ns2.emulator.local"],
  created_on: ZONE_CREATED,
  modified_on: ZONE_CREATED,
});
