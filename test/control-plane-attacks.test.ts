import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { emulatorApiToken } from "../scripts/lib/platform.ts";
import { type ControlPlaneApi, controlPlaneApi, eventually, unique } from "./support/control-plane-api.ts";
import { type EmulatorZone, emulatorZone, publishUntilLive } from "./support/custom-hostnames.ts";
import { devPlatformForFile } from "./support/dev-platform.ts";
import { getWithHost } from "./support/host-request.ts";

// Defects an attack on a fresh `npm run dev` found in the control plane
// (issue 10: 1, 2 and 3), reproduced against its real processes: the
// control plane, the emulator (its Cloudflare API, with a fault injected)
// and the dispatcher, each in its own `wrangler dev`.

const ACCOUNT = "/accounts/*";
const SCRIPTS = `${ACCOUNT}/workers/dispatch/namespaces/*/scripts`;

const dev = devPlatformForFile("attacks");
let controlPlane: ControlPlaneApi;
let zone: EmulatorZone;
beforeAll(() => {
  controlPlane = controlPlaneApi(dev.url("control-plane", "/"));
  zone = emulatorZone(dev.url("emulator", ""));
});

/** The tenant's own domain `hostname`, published and seen live: served from then on. */
const makeLive = (id: string, hostname: string) => publishUntilLive(controlPlane, zone, id, hostname);

const api = (method: string, pathname: string, body?: unknown) => controlPlane.api(method, pathname, body);
const settled = (id: string) => controlPlane.settled(id);

async function injectFault(rule: unknown): Promise<void> {
  const response = await fetch(dev.url("emulator", "/__emulator/faults"), {
    method: "POST",
    headers: { authorization: `Bearer ${emulatorApiToken()}`, "content-type": "application/json" },
    body: JSON.stringify(rule),
  });
  expect(response.status, await response.text()).toBe(200);
}

/** A GET to the dispatcher for `hostname`, as an end user's request for it arrives. */
async function visit(hostname: string): Promise<{ status: number; text: string }> {
  const { status, body } = await getWithHost(dev.ports.dispatcher as number, "/", hostname);
  return { status, text: body };
}

/** The files under `dir` whose path contains `within` and whose bytes contain `text`. */
async function filesContaining(dir: string, text: string, within: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((entry) => entry.isFile()).map((entry) => path.join(entry.parentPath, entry.name));
  const searched = files.filter((file) => file.includes(within));
  expect(searched.length, `no files under ${dir} match ${within}`).toBeGreaterThan(0);
  const hits = await Promise.all(searched.map(async (file) => ((await readFile(file)).includes(text) ? file : null)));
  return hits.filter((file) => file !== null);
}

/** Answers with its MODE var; will not start with MODE "explode", and leaks THE_SECRET when it has one. */
const SCRIPT = {
  mainModule: "index.js",
  modules: {
    "index.js": `import { env } from "cloudflare:workers";
if (env.MODE === "explode") throw new Error("cannot start in explode mode");
if (env.THE_SECRET !== undefined && env.MODE === "leak") throw new Error("leak:" + env.THE_SECRET);
export default { fetch: () => new Response("mode " + env.MODE) };`,
  },
};

const onboard = (prefix: string, extra: Record<string, unknown> = {}): Promise<string> =>
  controlPlane.onboard({
    id: unique(prefix),
    plan: "pro",
    resources: { kv: false, r2: false, d1: false },
    script: SCRIPT,
    vars: { MODE: "calm" },
    ...extra,
  });

describe("issue 10, against npm run dev", () => {
  it("1: A's late operation does not delete the route B was given: H ends B's in the registry, the table and the dispatcher", async () => {
    const host = `${unique("h")}.example.com`;
    const a = await onboard("late-a", { hostnames: [host] });
    const b = await onboard("late-b");
    await makeLive(a, host);
    expect(await eventually(async () => ((await visit(host)).status === 200 ? true : null))).toBe(true);
    // A's upload is slow.
    await injectFault({ method: "PUT", path: `${SCRIPTS}/${a}`, times: 1, action: { kind: "delay", ms: 5000 } });
    const patchA = api("PATCH", `/v1/tenants/${a}`, { hostnames: [], plan: "enterprise" });
    const patchB = await eventually(async () => {
      const answer = await api("PATCH", `/v1/tenants/${b}`, { hostnames: [host] });
      return answer.status === 202 ? answer : null;
    });
    expect(patchB.status).toBe(202);
    expect((await patchA).status).toBe(202);
    const [tenantA, tenantB] = [await settled(a), await settled(b)];
    expect(tenantA.hostnames).not.toContain(host);
    expect(tenantB.hostnames).toContain(host);
    // B's custom hostname for H is its own (A's went with A's claim): live once B publishes its records.
    await makeLive(b, host);
    // Once everything has settled, and past the dispatcher's route cache, H is served by B.
    const served = await eventually(async () => {
      const seen = await visit(host);
      return seen.status === 200 ? seen : null;
    });
    expect(served.text).toBe("mode calm");
    expect((await visit(`${b}.localhost`)).text).toBe("mode calm");
  });

  it("2: a PATCH whose re-upload is refused is a 422, and GET shows what is live", async () => {
    const oldHost = `${unique("old")}.example.com`;
    const newHost = `${unique("new")}.example.com`;
    const id = await onboard("refused", { hostnames: [oldHost] });
    const patched = await api("PATCH", `/v1/tenants/${id}`, {
      plan: "enterprise",
      vars: { MODE: "explode" },
      hostnames: [newHost],
    });
    expect(patched.status, patched.text).toBe(422);
    expect(patched.json.error?.code).toBe("script_rejected");
    const tenant = await settled(id);
    expect(tenant).toMatchObject({ state: "active", plan: "pro", vars: { MODE: "calm" }, pending: null });
    expect(tenant.hostnames).toEqual([`${id}.localhost`, newHost]);
    await makeLive(id, newHost);
    // The hostnames changed (no upload needed); the live script kept its vars.
    const served = await eventually(async () => {
      const seen = await visit(newHost);
      return seen.status === 200 ? seen : null;
    });
    expect(served.text).toBe("mode calm");
    expect((await eventually(async () => ((await visit(oldHost)).status === 404 ? true : null))) === true).toBe(true);
  });

  it("3: a secret's value thrown by a script's startup is not in the 422, GET, or the registry", async () => {
    const value = `s3cr3t-${crypto.randomUUID()}`;
    const id = await onboard("leak", { secrets: { THE_SECRET: value } });
    const patched = await api("PATCH", `/v1/tenants/${id}`, { vars: { MODE: "leak" } });
    expect(patched.status, patched.text).toBe(422);
    expect(patched.text).toContain("leak:[redacted]");
    expect(patched.text).not.toContain(value);
    const deployed = await api("PUT", `/v1/tenants/${id}/script`, {
      ...SCRIPT,
      modules: { "index.js": `import { env } from "cloudflare:workers"; throw new Error("leak:" + env.THE_SECRET);` },
    });
    expect(deployed.status, deployed.text).toBe(422);
    expect(deployed.text).not.toContain(value);
    const tenant = await settled(id);
    expect(tenant.lastError?.message).toContain("leak:[redacted]");
    expect(JSON.stringify(tenant)).not.toContain(value);
    // The registry (the control plane's D1, on disk) holds no trace of it.
    expect(await filesContaining(path.join(dev.workDir, "state", "control-plane"), value, "/d1/")).toEqual([]);
  });
});
