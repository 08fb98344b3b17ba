import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { emulatorApiToken, platformApiToken } from "../scripts/lib/platform.ts";
import { type ControlPlaneApi, controlPlaneApi, eventually, unique } from "./support/control-plane-api.ts";
import { emulatorZone, publishUntilLive } from "./support/custom-hostnames.ts";
import { devPlatformForFile } from "./support/dev-platform.ts";
import { getWithHost } from "./support/host-request.ts";
import { hostsWith, whyHostsCannotBeOverridden, withHostsFile } from "./support/hosts-override.ts";

// Issue 10, item 8, against npm run dev's real processes: a tenant's Worker
// tries to reach the platform's own ports on this machine (the emulator's
// API, whose dev token reads every tenant's scripts and data, and the
// dispatcher, control plane and outbound Worker) through its fetch(), which
// goes through the emulator's egress and the outbound Worker. Every spelling
// of this machine's addresses, and names that resolve to them, must be
// refused, and nothing of another tenant's read.

/** The control plane's account and namespace (control-plane/wrangler.local.toml). */
const ACCOUNT = "10ca1000000000000000000000000000";
const NAMESPACE = "wfp-tenants";

/** Every way of writing this machine's addresses that the URL parser accepts, and the names it has for itself. */
const SPELLINGS = [
  "127.0.0.1",
  "127.1",
  "2130706433",
  "0x7f000001",
  "0177.0.0.1",
  "[::1]",
  "[::ffff:127.0.0.1]",
  "[::ffff:7f00:1]",
  "[::ffff:0:7f00:1]",
  "localhost",
  "localhost.",
  "x.localhost",
  // In /etc/hosts on the machine this was written on; hostsLoopbackNames() adds this machine's.
  "vm",
  "runsc",
  "0.0.0.0",
  "[::]",
];

/** The victim's custom hostname; under the hosts override it resolves to this machine. */
const VICTIM_HOST = "victim-site.example.com";

/**
 * Public-looking names given this machine's addresses for the platform's
 * processes only, as DNS (`127.0.0.1.nip.io`) or a hosts file does on a
 * connected machine. The outbound Worker cannot tell them from a public name
 * by their text.
 */
const RESOLVING_NAMES: Record<string, string> = {
  "127.0.0.1.nip.io": "127.0.0.1",
  "wfp-probe.example.com": "127.0.0.1",
  "wfp-probe-any.example.com": "0.0.0.0",
  "wfp-probe-mapped.example.com": "::ffff:127.0.0.1",
  "wfp-probe-v6.example.com": "::1",
  [VICTIM_HOST]: "127.0.0.1",
};

/** The names this machine's /etc/hosts gives a loopback address. */
async function hostsLoopbackNames(): Promise<string[]> {
  const text = await readFile("/etc/hosts", "utf8").catch(() => "");
  return text
    .split("\n")
    .map((line) => line.replace(/#.*/, "").trim().split(/\s+/))
    .filter(([address]) => address !== undefined && (/^127\./.test(address) || address === "::1"))
    .flatMap(([, ...names]) => names.map((name) => name.toLowerCase()));
}

/** The tenant that attacks: fetches each target it is given and reports what came back. */
const PROBE = {
  mainModule: "index.js",
  modules: {
    "index.js": `export default {
  async fetch(request) {
    const results = [];
    for (const { url, headers } of await request.json()) {
      try {
        const response = await fetch(url, { headers, redirect: "manual" });
        results.push({ url, status: response.status, body: await response.text() });
      } catch (error) {
        results.push({ url, threw: String(error && error.message ? error.message : error) });
      }
    }
    return Response.json(results);
  },
};`,
  },
};

/** A request the probe makes: to `host` at `port`, and what in the answer would be another tenant's data. */
type Target = {
  label: string;
  host: string;
  port: number;
  path: string;
  headers: Record<string, string>;
  leak: string;
};
type ProbeResult = { url: string; status?: number; body?: string; threw?: string };

const hostsOverride = whyHostsCannotBeOverridden();
if (hostsOverride !== null)
  console.warn(`egress-attacks: names that resolve to this machine are not tried: ${hostsOverride}`);

/** Names that resolve to this machine go in a hosts file of the platform's own, where it can be given one. */
const dev = devPlatformForFile("egress", {
  wrap: async (workDir) => {
    if (hostsOverride !== null) return undefined;
    const hostsFile = path.join(workDir, "hosts");
    await writeFile(hostsFile, hostsWith(RESOLVING_NAMES));
    return withHostsFile(hostsFile);
  },
});
let controlPlane: ControlPlaneApi;
/** In the victim's script, its var and its answer: a tenant that reads it has read the victim's data. */
const marker = `victim-data-${crypto.randomUUID()}`;
let victim: string;
let attacker: string;

beforeAll(async () => {
  controlPlane = controlPlaneApi(dev.url("control-plane", ""));
  victim = await controlPlane.onboard({
    id: unique("victim"),
    plan: "pro",
    resources: { kv: false, r2: false, d1: false },
    hostnames: [VICTIM_HOST],
    vars: { NOTE: marker },
    script: {
      mainModule: "index.js",
      modules: { "index.js": `export default { fetch: () => new Response(${JSON.stringify(`page of ${marker}`)}) };` },
    },
  });
  // Its own domain is served once its records are published, as for any tenant.
  await publishUntilLive(controlPlane, emulatorZone(dev.url("emulator", "")), victim, VICTIM_HOST);
  attacker = await controlPlane.onboard({
    id: unique("attacker"),
    plan: "enterprise",
    resources: { kv: false, r2: false, d1: false },
    script: PROBE,
  });
}, 120_000);

/** The emulator's API with its documented dev token: the victim's script, marker and all. */
const emulatorTarget = (host: string): Target => ({
  label: "emulator",
  host,
  port: dev.ports.emulator as number,
  path: `/client/v4/accounts/${ACCOUNT}/workers/dispatch/namespaces/${NAMESPACE}/scripts/${victim}/content`,
  headers: { authorization: `Bearer ${emulatorApiToken()}` },
  leak: marker,
});

/** The control plane's API with the local operators' token: the victim's vars. */
const controlPlaneTarget = (host: string): Target => ({
  label: "control-plane",
  host,
  port: dev.ports["control-plane"] as number,
  path: `/v1/tenants/${victim}`,
  headers: { authorization: `Bearer ${platformApiToken()}` },
  leak: marker,
});

/** The dispatcher, for the victim: by path on the platform's own hosts, by its hostname otherwise. */
const dispatcherTarget = (host: string): Target => ({
  label: "dispatcher",
  host,
  port: dev.ports.dispatcher as number,
  path: host === VICTIM_HOST ? "/" : `/${victim}/`,
  headers: {},
  leak: marker,
});

/** The outbound Worker's health check, which answers only a request from this machine. */
const outboundTarget = (host: string): Target => ({
  label: "outbound",
  host,
  port: dev.ports.outbound as number,
  path: "/__platform/health",
  headers: {},
  leak: '"service":"wfp-outbound"',
});

const urlOf = (target: Target) => `http://${target.host}:${target.port}${target.path}`;

/** The target's request sent straight to its port from here, with the Host the probe's would carry. */
const direct = (target: Target) =>
  getWithHost(target.port, target.path, `${target.host}:${target.port}`, target.headers);

/** The attacker's Worker, reached through the dispatcher, fetches every target and reports. */
async function probe(targets: Target[]): Promise<ProbeResult[]> {
  const response = await fetch(`http://127.0.0.1:${dev.ports.dispatcher}/${attacker}/`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(targets.map((target) => ({ url: urlOf(target), headers: target.headers }))),
  });
  const text = await response.text();
  expect(response.status, text).toBe(200);
  const results = JSON.parse(text) as ProbeResult[];
  expect(results.map((result) => result.url)).toEqual(targets.map(urlOf));
  return results;
}

/** The outbound Worker's log says workerd refused to connect it to `url`'s host and port (workerd's own words). */
const networkRefusalLogged = (url: string) =>
  dev.platform.output.some(
    (line) => line.startsWith("outbound ") && line.includes(`connecting to ${new URL(url).host} is not allowed`),
  );

/**
 * What each probe got. Refused means: the outbound Worker answered 403
 * egress_blocked (its policy, by the URL's text), or its fetch() failed (the
 * tenant's fetch threw, or got the outbound Worker's 502 egress_unreachable)
 * and workerd logged that it refused the connection (the network, by the
 * address the name resolved to).
 */
async function verdicts(targets: Target[], results: ProbeResult[]) {
  const seen = [];
  for (const [i, result] of results.entries()) {
    const target = targets[i] as Target;
    let policy: string | undefined;
    try {
      const body = JSON.parse(result.body ?? "");
      if (result.status === 403 && body.error?.code === "egress_blocked") policy = body.error.reason;
    } catch {}
    let unreachable = false;
    try {
      unreachable = result.status === 502 && JSON.parse(result.body ?? "").error?.code === "egress_unreachable";
    } catch {}
    const failed = result.threw !== undefined || unreachable;
    // The outbound Worker's log reaches us through npm run dev's output, perhaps after the answer did.
    const network =
      failed && (await eventually(async () => networkRefusalLogged(result.url) || null, 5_000).catch(() => false));
    seen.push({
      url: result.url,
      got: result.threw !== undefined ? `threw: ${result.threw}` : `${result.status} ${result.body?.slice(0, 120)}`,
      refused: policy !== undefined ? `policy: ${policy}` : network ? "network" : false,
      read: (result.body ?? "").includes(target.leak),
    });
  }
  return seen;
}

/** Each target, sent from here to its port, gives the victim's data: so a probe that reached it would show. */
async function expectEachLeaksWhenReached(targets: Target[]): Promise<void> {
  for (const target of targets) {
    const answer = await direct(target);
    expect({ url: urlOf(target), status: answer.status, leaks: answer.body.includes(target.leak) }).toEqual({
      url: urlOf(target),
      status: 200,
      leaks: true,
    });
  }
}

async function expectAllRefused(targets: Target[]) {
  await expectEachLeaksWhenReached(targets);
  const seen = await verdicts(targets, await probe(targets));
  expect(seen).toHaveLength(targets.length);
  expect(seen.filter((v) => v.refused === false || v.read)).toEqual([]);
  return seen;
}

describe("a tenant's fetch() to this machine, through npm run dev's outbound Worker", () => {
  it("every spelling of a loopback address, and this machine's own names, is refused for the emulator's API", async () => {
    const spellings = [...new Set([...SPELLINGS, ...(await hostsLoopbackNames())])];
    await expectAllRefused(spellings.map(emulatorTarget));
  });

  it("the dispatcher's, control plane's and outbound Worker's ports are refused too", async () => {
    await expectAllRefused([
      ...["127.0.0.1", "localhost"].map(dispatcherTarget),
      ...["127.0.0.1", "[::ffff:7f00:1]", "0x7f000001", "vm"].map(controlPlaneTarget),
      ...["127.0.0.1", "localhost.", "[::ffff:0:7f00:1]", "0.0.0.0"].map(outboundTarget),
    ]);
  });

  it.skipIf(hostsOverride !== null)(
    "a public-looking name that resolves to this machine is refused: the outbound Worker's fetch() reaches public addresses only",
    async () => {
      const names = Object.keys(RESOLVING_NAMES).filter((name) => name !== VICTIM_HOST);
      const seen = await expectAllRefused([
        ...names.map(emulatorTarget),
        dispatcherTarget(VICTIM_HOST),
        ...["127.0.0.1.nip.io", "wfp-probe-any.example.com"].map(controlPlaneTarget),
        ...["wfp-probe.example.com", "wfp-probe-mapped.example.com"].map(outboundTarget),
      ]);
      // Their text passes the outbound Worker's policy: what refused each is the network it sends through.
      expect(seen.filter((v) => v.refused !== "network")).toEqual([]);
    },
  );
});
