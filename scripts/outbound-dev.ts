/**
 * The outbound Worker as `npm run dev` runs it: what `wrangler dev` does (its bundling, the dev
 * registry the emulator finds it in, its port, inspector, persistence and logs), through wrangler's
 * own `unstable_startWorker`, plus the one thing the `wrangler dev` command cannot give it: a
 * network that reaches public addresses only.
 *
 * A tenant's subrequest that the outbound Worker lets out goes through its `PUBLIC_INTERNET`
 * binding (outbound/src/index.ts), which is workerd's network with `allow: ["public"]`: workerd
 * resolves the name, drops every address that is not public (loopback, private, link-local,
 * 0.0.0.0, IPv4-mapped forms of those...) and connects only to what is left, so a name whose DNS
 * or /etc/hosts entry is this machine (`127.0.0.1.nip.io`) reaches none of the platform's ports.
 * The Worker's own text checks (platform/addresses.ts) still come first. `wrangler dev` gives a
 * Worker's fetch() miniflare's network, which allows private and loopback addresses, and has no
 * option to change it; miniflare's `outboundService` cannot be a network either.
 *
 *   node scripts/outbound-dev.ts --config <wrangler config> --ip <address> --port <port>
 *     --inspector-port <port> --persist-to <folder>
 *
 * WRANGLER_REGISTRY_PATH (required) is the dev registry it registers in, as `wrangler dev` does.
 * Ctrl-C (SIGINT), SIGTERM or SIGHUP stop it.
 */
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { unstable_startWorker } from "wrangler";
import { failLauncher, launch, launcherArgs } from "./lib/launcher.ts";

/** The certificates miniflare's own network trusts, besides the browsers' CAs. */
function trustedCertificates(): string[] {
  const certificates = process.platform === "win32" ? [...rootCertificates] : [];
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  if (extra !== undefined) {
    const pem = readFileSync(extra, "utf8");
    certificates.push(...(pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []));
  }
  return certificates;
}

/**
 * workerd's network, as miniflare's service designator: public addresses only
 * (workerd's default, which miniflare widens to private ones for `fetch()`),
 * with the TLS trust miniflare gives its own.
 */
export const PUBLIC_NETWORK = {
  network: { allow: ["public"], tlsOptions: { trustBrowserCas: true, trustedCertificates: trustedCertificates() } },
};

async function main(): Promise<void> {
  const args = launcherArgs();
  const worker = await launch("outbound-dev", () =>
    unstable_startWorker({
      config: args.config,
      bindings: {
        // wrangler hands a fetcher binding to miniflare as it is: here, a network service.
        PUBLIC_INTERNET: { type: "fetcher", fetcher: PUBLIC_NETWORK as never },
      },
      dev: {
        remote: false,
        server: { hostname: args.ip, port: args.port },
        inspector: { hostname: args.ip, port: args.inspectorPort },
        persist: args.persistTo,
        registry: args.registry,
      },
    }),
  );
  process.stdout.write(`Up at ${(await worker.url).href}: what it lets out reaches public addresses only\n`);
}

main().catch(failLauncher("outbound-dev"));
