import { CustomHostname } from "../../cloudflare-api/custom-hostnames.ts";
import { emulatorApi } from "./emulator-api.ts";

/**
 * What a tenant does at its DNS provider, done against a local emulator: a custom hostname's
 * records, read from the emulator's Cloudflare API (the ownership TXT and the certificate's
 * validation record, as `wfp hostnames <tenant>` prints them), published in the emulator's DNS
 * and HTTP table (`/__emulator/dns`, `/__emulator/http`), which it validates against on its next
 * check. `npm run publish-dns` and the end-to-end tests share it.
 */

/** What `publishDns` published: how many TXT records and HTTP bodies, for which hostname. */
export type PublishedDns = { hostname: string; txt: number; http: number };

/** The records a custom hostname asks for: TXT values by name, HTTP bodies by URL. */
export function recordsToPublish(custom: CustomHostname): { txt: Map<string, string>; http: Map<string, string> } {
  const txt = new Map<string, string>();
  const http = new Map<string, string>();
  const { name, value } = custom.ownership_verification ?? {};
  if (name !== undefined && value !== undefined) txt.set(name, value);
  for (const record of custom.ssl?.validation_records ?? []) {
    if (record.txt_name !== undefined && record.txt_value !== undefined) txt.set(record.txt_name, record.txt_value);
    if (record.http_url !== undefined && record.http_body !== undefined) http.set(record.http_url, record.http_body);
  }
  return { txt, http };
}

/**
 * Publishes `hostname`'s records in the emulator at `emulatorUrl` (http://127.0.0.1:<port>),
 * with its API token. Throws, saying what failed, when a call fails or no zone of the emulator
 * has that custom hostname.
 */
export async function publishDns(emulatorUrl: string, token: string, hostname: string): Promise<PublishedDns> {
  const call = emulatorApi(emulatorUrl, token);
  const zones = (await call("/client/v4/zones")) as { id: string }[];
  const found: CustomHostname[] = [];
  for (const zone of zones) {
    const listed = (await call(
      `/client/v4/zones/${zone.id}/custom_hostnames?hostname=${encodeURIComponent(hostname)}`,
    )) as unknown[];
    found.push(...listed.map((entry) => CustomHostname.parse(entry)));
  }
  const [custom] = found;
  if (custom === undefined) throw new Error(`no custom hostname ${hostname} in the emulator's zones`);

  const { txt, http } = recordsToPublish(custom);
  for (const [recordName, recordValue] of txt) {
    await call(`/__emulator/dns/${encodeURIComponent(recordName)}`, {
      method: "PUT",
      body: JSON.stringify({ txt: [recordValue] }),
    });
  }
  for (const [url, body] of http) {
    await call(`/__emulator/http?url=${encodeURIComponent(url)}`, { method: "PUT", body: JSON.stringify({ body }) });
  }
  return { hostname: custom.hostname, txt: txt.size, http: http.size };
}
