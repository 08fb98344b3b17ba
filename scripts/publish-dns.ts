/**
 * `npm run publish-dns -- <hostname>`: what a tenant does at its DNS provider,
 * done against the local emulator (scripts/lib/publish-dns.ts): the custom
 * hostname's records, as `wfp hostnames <tenant>` prints them, published in the
 * emulator's DNS and HTTP table, which the emulator validates against on its
 * next check. Production has no such step: the tenant sets the records where
 * its domain's DNS is served.
 *
 * EMULATOR_PORT moves the emulator as it does for `npm run dev`.
 */
import { parseArgs } from "node:util";
import { configuredDevPort, EMULATOR, emulatorApiToken } from "./lib/platform.ts";
import { LOOPBACK } from "./lib/ports.ts";
import { publishDns } from "./lib/publish-dns.ts";

const { positionals } = parseArgs({ allowPositionals: true, options: {} });
const [hostname] = positionals;
if (hostname === undefined || positionals.length !== 1) {
  process.stderr.write("usage: npm run publish-dns -- <hostname>\n");
  process.exit(2);
}

const port = process.env.EMULATOR_PORT || String(configuredDevPort(EMULATOR));
try {
  const published = await publishDns(`http://${LOOPBACK}:${port}`, emulatorApiToken(), hostname);
  process.stdout.write(
    `published ${published.txt} TXT and ${published.http} HTTP record(s) for ${published.hostname}\n`,
  );
} catch (error) {
  process.stderr.write(`publish-dns: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
