/**
 * `npm run publish-dns -- <hostname>`: what a tenant does at its DNS provider,
 * done against the local emulator. Reads the custom hostname's records from the
 * emulator's Cloudflare API (the ownership TXT and the certificate's validation
 * record, as `wfp hostnames <tenant>` prints them) and publishes each in the
 * emulator's DNS and HTTP table (`/__emulator/dns`, `/__emulator/http`), which
 * the emulator validates against on its next check. Production has no such step:
 * the tenant sets the records where its domain's DNS is served.
 *
 * EMULATOR_PORT moves the emulator as it does for `npm run dev`.
 */
import { parseArgs } from "node:util";
import { CustomHostname } from "../cloudflare-api/custom-hostnames.ts";
import { configuredDevPort, EMULATOR, emulatorApiToken } from "./lib/platform.ts";
import { LOOPBACK } from "./lib/ports.ts";

const { positionals } = parseArgs({ allowPositionals: true, options: {} });
const [hostname] = positionals;
if (hostname === undefined || positionals.length !== 1) {
  process.stderr.write("usage: npm run publish-dns -- <hostname>\n");
  process.exit(2);
}

const port = process.env.EMULATOR_PORT || String(configuredDevPort(EMULATOR));
const origin = `http://${LOOPBACK}:${port}`;
const headers = { authorization: `Bearer ${emulatorApiToken()}`, "content-type": "application/json" };

/** One call to the emulator; its envelope's `result`, or the process ends saying what failed. */
async function call(pathname: string, init: RequestInit = {}): Promise<unknown> {
  const response = await fetch(`${origin}${pathname}`, { ...init, headers });
  const body = (await response.json().catch(() => null)) as { success?: boolean; result?: unknown } | null;
  if (!response.ok || body?.success !== true) {
    process.stderr.write(`publish-dns: ${init.method ?? "GET"} ${pathname}: HTTP ${response.status}\n`);
    process.exit(1);
  }
  return body.result;
}

const zones = (await call("/client/v4/zones")) as { id: string }[];
const found: CustomHostname[] = [];
for (const zone of zones) {
  const listed = (await call(
    `/client/v4/zones/${zone.id}/custom_hostnames?hostname=${encodeURIComponent(hostname)}`,
  )) as unknown[];
  found.push(...listed.map((entry) => CustomHostname.parse(entry)));
}
const [custom] = found;
if (custom === undefined) {
  process.stderr.write(`publish-dns: no custom hostname ${hostname} in the emulator's zones\n`);
  process.exit(1);
}

const txt = new Map<string, string>();
const { name, value } = custom.ownership_verification ?? {};
if (name !== undefined && value !== undefined) txt.set(name, value);
const http = new Map<string, string>();
for (const record of custom.ssl?.validation_records ?? []) {
  if (record.txt_name !== undefined && record.txt_value !== undefined) txt.set(record.txt_name, record.txt_value);
  if (record.http_url !== undefined && record.http_body !== undefined) http.set(record.http_url, record.http_body);
}
for (const [recordName, recordValue] of txt) {
  await call(`/__emulator/dns/${encodeURIComponent(recordName)}`, {
    method: "PUT",
    body: JSON.stringify({ txt: [recordValue] }),
  });
}
for (const [url, body] of http) {
  await call(`/__emulator/http?url=${encodeURIComponent(url)}`, { method: "PUT", body: JSON.stringify({ body }) });
}
process.stdout.write(`published ${txt.size} TXT and ${http.size} HTTP record(s) for ${custom.hostname}\n`);
