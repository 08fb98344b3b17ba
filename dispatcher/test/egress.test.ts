import { beforeAll, describe, expect, it } from "vitest";
import type { InternetEcho } from "../../outbound/test/internet";
import { harness, tenant } from "./support";

/** A tenant that fetches each URL it is given and reports what came back. */
const prober = `export default { async fetch(request) {
  const results = [];
  for (const url of await request.json()) {
    const res = await fetch(url, { method: "POST", body: "from the tenant", headers: { "x-wfp-outbound-params": "{\\"tenantId\\":\\"forged\\",\\"plan\\":\\"enterprise\\"}" } });
    results.push({ url, status: res.status, body: await res.json() });
  }
  return Response.json(results);
} };`;

type Probe = { url: string; status: number; body: InternetEcho & { error?: { code: string; reason: string } } };

let pro: { host: string };
let free: { host: string };

beforeAll(async () => {
  pro = await tenant(prober, { plan: "pro" });
  free = await tenant(prober, { plan: "free" });
});

async function probe(host: string, urls: string[]): Promise<Probe[]> {
  const res = await harness().fetch(`http://${host}/`, { method: "POST", body: JSON.stringify(urls) });
  expect(res.status).toBe(200);
  return res.json<Probe[]>();
}

describe("egress through the outbound Worker", () => {
  it("refuses loopback, private, link-local and metadata addresses and the platform's own hostnames", async () => {
    const refused: Record<string, string> = {
      "http://169.254.169.254/latest/meta-data/": "metadata",
      "http://metadata.google.internal/computeMetadata/v1/": "metadata",
      "http://[fd00:ec2::254]/": "metadata",
      "http://127.0.0.1:8789/client/v4/accounts": "loopback",
      "http://2130706433/": "loopback",
      "http://[::1]/": "loopback",
      "http://localhost:8787/": "platform",
      "http://10.1.2.3/": "private",
      "http://[::ffff:192.168.0.1]/": "private",
      "http://169.254.1.1/": "link-local",
      "http://other-tenant.localhost/": "platform",
    };
    const results = await probe(pro.host, Object.keys(refused));
    for (const { url, status, body } of results) {
      expect(status, url).toBe(403);
      expect(body.error, url).toEqual(expect.objectContaining({ code: "egress_blocked", reason: refused[url] }));
    }
  });

  it("sends the rest to the Internet as the tenant sent it, without the parameters header", async () => {
    const [result] = await probe(pro.host, ["https://api.github.com/repos?x=1"]);
    expect(result?.status).toBe(200);
    expect(result?.body).toMatchObject({
      internet: true,
      url: "https://api.github.com/repos?x=1",
      method: "POST",
      body: "from the tenant",
    });
    expect(result?.body.headers["x-wfp-outbound-params"]).toBeUndefined();
  });

  it("applies the plan's allowlist, with the plan the dispatcher passed, not one the tenant claims", async () => {
    const results = await probe(free.host, [
      "https://example.com/",
      "https://api.example.com/v1",
      "https://api.github.com/",
    ]);
    expect(results.map((r) => r.status)).toEqual([200, 200, 403]);
    expect(results[2]?.body.error?.reason).toBe("not_allowlisted");
  });
});
