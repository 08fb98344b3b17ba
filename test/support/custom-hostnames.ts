import { unstable_readConfig } from "wrangler";
import { CustomHostname } from "../../cloudflare-api/custom-hostnames.ts";
import { emulatorApi } from "../../scripts/lib/emulator-api.ts";
import { CONTROL_PLANE, emulatorApiToken } from "../../scripts/lib/platform.ts";
import { publishDns } from "../../scripts/lib/publish-dns.ts";

/** The zone the local control plane puts tenants' own domains on: its CLOUDFLARE_ZONE_ID. */
export const platformZoneId = (): string =>
  String(
    (unstable_readConfig({ config: CONTROL_PLANE.configPath }).vars as Record<string, unknown>).CLOUDFLARE_ZONE_ID,
  );

/**
 * The platform's zone at an emulator (`emulatorUrl` is its http://127.0.0.1:<port>) as a test
 * reads it through the emulator's Cloudflare API, and the internet Cloudflare validates against:
 * records published as `npm run publish-dns` publishes them, and the validation timeout.
 */
export function emulatorZone(emulatorUrl: string, token = emulatorApiToken()) {
  const call = emulatorApi(emulatorUrl, token);
  const TIMEOUT = "/__emulator/custom-hostnames/validation-timeout";
  return {
    /** The zone's custom hostnames named `hostname` (`?hostname=`, an exact match): none or one. */
    async customHostnames(hostname: string): Promise<CustomHostname[]> {
      const listed = await call(
        `/client/v4/zones/${platformZoneId()}/custom_hostnames?hostname=${encodeURIComponent(hostname)}`,
      );
      return (listed as unknown[]).map((entry) => CustomHostname.parse(entry));
    },
    /** What the tenant does at its DNS provider: `hostname`'s records, published. */
    publish: (hostname: string) => publishDns(emulatorUrl, token, hostname),
    async validationTimeoutMs(): Promise<number> {
      return ((await call(TIMEOUT)) as { ms: number }).ms;
    },
    /** How long a custom hostname may stay unvalidated from its creation; 0 times out every pending one. */
    async setValidationTimeoutMs(ms: number): Promise<void> {
      await call(TIMEOUT, { method: "PUT", body: JSON.stringify({ ms }) });
    },
  };
}

export type EmulatorZone = ReturnType<typeof emulatorZone>;
