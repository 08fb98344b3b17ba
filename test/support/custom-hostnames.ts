import { CustomHostname } from "../../cloudflare-api/custom-hostnames.ts";
import { emulatorApi } from "../../scripts/lib/emulator-api.ts";
import { emulatorApiToken } from "../../scripts/lib/platform.ts";
import { publishDns } from "../../scripts/lib/publish-dns.ts";
import { type ControlPlaneApi, eventually } from "./control-plane-api.ts";
import { platformZoneId } from "./control-plane-vars.ts";

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

/** Local checks run every second doubling to ten (control-plane/wrangler.local.toml): a few rounds of them. */
export const CHECKS_TIMEOUT_MS = 60_000;

/**
 * What a tenant does for its own domain `hostname`, already added: publishes its records and
 * waits until GET shows it live. From then on (past the dispatcher's route cache) it is served.
 */
export async function publishUntilLive(
  controlPlane: ControlPlaneApi,
  zone: EmulatorZone,
  tenantId: string,
  hostname: string,
): Promise<void> {
  await zone.publish(hostname);
  await eventually(async () => {
    const { json } = await controlPlane.api("GET", `/v1/tenants/${tenantId}`);
    const view = json.customHostnames?.find((entry) => entry.hostname === hostname);
    return view?.liveAt ? true : null;
  }, CHECKS_TIMEOUT_MS);
}
