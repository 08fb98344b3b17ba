import { describe, expect, it } from "vitest";
import { COMPATIBILITY_DATE } from "../../platform/compatibility-date";
import { directEgressRefusal } from "../src/dispatch/egress";
import { createNamespace, dispatch, uploadScript } from "./tenant";

/** The emulator's own API (8789 in `npm run dev`) and this machine, in every spelling a URL parser accepts. */
const THIS_MACHINE = [
  "http://127.0.0.1:8789/client/v4/accounts",
  "http://127.1:8789/client/v4/accounts",
  "http://127.0.0.1.:8789/client/v4/accounts",
  "http://2130706433:8789/client/v4/accounts",
  "http://0x7f000001:8789/client/v4/accounts",
  "http://0x7f.1:8789/client/v4/accounts",
  "http://0177.0.0.1:8789/client/v4/accounts",
  "http://127.255.255.254:8789/client/v4/accounts",
  "http://0.0.0.0:8789/__emulator/health",
  "http://0:8789/__emulator/health",
  "http://[::1]:8789/client/v4/accounts",
  "http://[0:0:0:0:0:0:0:1]:8789/client/v4/accounts",
  "http://[::]:8789/__emulator/health",
  "http://[::ffff:127.0.0.1]:8789/client/v4/accounts",
  "http://[::ffff:7f00:1]:8789/client/v4/accounts",
  "http://[::ffff:0:7f00:1]:8789/client/v4/accounts",
  "http://[::ffff:0:127.0.0.1]:8789/client/v4/accounts",
  "http://[::127.0.0.1]:8789/client/v4/accounts",
  "http://[64:ff9b::7f00:1]:8789/client/v4/accounts",
  "http://[2002:7f00:1::]:8789/client/v4/accounts",
  "http://localhost:8789/client/v4/accounts",
  "http://LOCALHOST:8789/client/v4/accounts",
  "http://localhost.:8789/client/v4/accounts",
  "http://localhost..:8789/client/v4/accounts",
  "http://emulator.localhost:8789/client/v4/accounts",
  "https://localhost:8789/client/v4/accounts",
  // Names that resolve to this machine through /etc/hosts (the machine's own name) or public DNS.
  "http://vm:8789/client/v4/accounts",
  "http://ip6-localhost:8789/client/v4/accounts",
  "http://localtest.me:8789/client/v4/accounts",
  "http://127.0.0.1.nip.io:8789/client/v4/accounts",
];

/** Other addresses that are not the public Internet: the rest of the machine's networks and the metadata service. */
const NOT_PUBLIC = [
  "http://10.0.0.1/",
  "http://192.168.1.1:8788/",
  "http://169.254.169.254/latest/meta-data/",
  "http://[fd00:ec2::254]/",
  "http://[fe80::1]/",
];

/** A tenant that fetches each URL and reports what happened, with the dev token the README documents. */
const prober = (urls: string[]) => ({
  "index.js": `export default { async fetch() {
    const out = [];
    for (const url of ${JSON.stringify(urls)}) {
      try {
        const res = await fetch(url, { headers: { authorization: "Bearer local-dev-token" } });
        out.push("reached " + res.status);
      } catch (e) { out.push(e.message); }
    }
    return Response.json(out);
  } };`,
});

describe("a tenant's subrequests with no outbound Worker", () => {
  // 2022-01-01 predates url_standard: that tenant's own URL parser keeps "0x7f.1" and "[::ffff:0:7f00:1]" as
  // written, so the emulator must judge the URL as it will fetch it, not as the tenant spelled it.
  it.each([COMPATIBILITY_DATE, "2022-01-01"])(
    "never reach this machine, however its address is spelled (compatibility date %s)",
    async (compatibilityDate) => {
      const ns = await createNamespace();
      const urls = [...THIS_MACHINE, ...NOT_PUBLIC];
      await uploadScript(ns, "snoop", { modules: prober(urls), compatibilityDate });
      const results = await (await dispatch(ns, "snoop", "http://x/")).json<string[]>();
      expect(results).toHaveLength(urls.length);
      urls.forEach((url, i) => {
        expect(results[i], url).toMatch(/^Subrequest refused: /);
      });
    },
  );

  it("refuses by what the address is and says which kind", () => {
    const refusal = (url: string) => directEgressRefusal(new URL(url));
    expect(refusal("http://[::ffff:0:7f00:1]:8789/")).toMatch(/non-public addresses .*: loopback\)$/);
    expect(refusal("http://localhost.:8789/")).toMatch(/non-public addresses .*: loopback\)$/);
    expect(refusal("http://169.254.169.254/")).toMatch(/: metadata\)$/);
    expect(refusal("http://10.0.0.1/")).toMatch(/: private\)$/);
    expect(refusal("http://example.com/")).toMatch(/cannot reach names/);
    expect(refusal("ftp://1.1.1.1/")).toMatch(/cannot be fetched/);
  });

  it("lets public IP addresses out, in any spelling", () => {
    for (const url of [
      "http://1.1.1.1/",
      "https://16843009/",
      "http://[2606:4700:4700::1111]/",
      "http://[::ffff:1.1.1.1]/",
    ]) {
      expect(directEgressRefusal(new URL(url)), url).toBeNull();
    }
  });
});
