import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type CliRun, explain, runCli } from "../cli/test/support/run-cli.ts";
import { type CustomHostnameView, hasFailed, isLive } from "../platform/custom-hostname-view.ts";
import { spawnGroup } from "../scripts/lib/process-group.ts";
import { recordsToPublish } from "../scripts/lib/publish-dns.ts";
import { REPO_ROOT } from "../scripts/lib/wrangler-dev.ts";
import { type ControlPlaneApi, controlPlaneApi, eventually, unique } from "./support/control-plane-api.ts";
import { CHECKS_TIMEOUT_MS, type EmulatorZone, emulatorZone } from "./support/custom-hostnames.ts";
import { devPlatformForFile } from "./support/dev-platform.ts";
import { getWithHost } from "./support/host-request.ts";

// Issue 15, end to end through `npm run dev`'s processes: a tenant's own domain is a custom
// hostname on the platform's zone; GET shows exactly the records its DNS needs; the dispatcher
// answers it 503 hostname_pending until they are published in the emulator's DNS (as
// `npm run publish-dns` does), then serves the tenant on it; one never published stays pending and
// is reported once validation times out, never served; `wfp hostnames` prints the records and
// `--wait` returns once live; deleting the tenant deletes its custom hostnames on the zone.

const dev = devPlatformForFile("hostnames");
let controlPlane: ControlPlaneApi;
let zone: EmulatorZone;

beforeAll(() => {
  controlPlane = controlPlaneApi(dev.url("control-plane", "/"));
  zone = emulatorZone(dev.url("emulator", ""));
});

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** A name under example.com no other run uses (`.example` is a reserved TLD Cloudflare refuses). */
const ownDomain = (label: string) => `${unique(label)}.example.com`;

const wfp = (args: readonly string[]): Promise<CliRun> =>
  runCli([...args, "--interval", "200", "--timeout", "120"], { env: dev.wfpEnv() });

/** What the dispatcher answers for `hostname` (as a request for it arrives), as JSON or as a browser's page. */
const dispatched = (hostname: string, accept = "application/json") =>
  getWithHost(dev.ports.dispatcher as number, "/", hostname, { accept });

/** The tenant's custom hostname `hostname`, as GET /v1/tenants/{id} shows it. */
async function viewOf(id: string, hostname: string): Promise<CustomHostnameView> {
  const { status, text, json } = await controlPlane.api("GET", `/v1/tenants/${id}`);
  expect(status, text).toBe(200);
  const view = json.customHostnames.find((entry) => entry.hostname === hostname);
  if (view === undefined) throw new Error(`GET /v1/tenants/${id} shows no custom hostname ${hostname}: ${text}`);
  return view;
}

/** The view once `done` holds for it, polling GET. */
const viewOnce = (id: string, hostname: string, done: (view: CustomHostnameView) => boolean) =>
  eventually(async () => {
    const view = await viewOf(id, hostname);
    return done(view) ? view : null;
  }, CHECKS_TIMEOUT_MS);

/** Sets the tenant's whole list of hostnames and waits until its operation has succeeded. */
async function setHostnames(id: string, hostnames: string[]): Promise<void> {
  const patched = await controlPlane.api("PATCH", `/v1/tenants/${id}`, { hostnames });
  expect(patched.status, patched.text).toBe(202);
  const settled = await controlPlane.settled(id);
  expect(settled.operation?.state, JSON.stringify(settled)).toBe("succeeded");
}

/** The view's records as publishing reads them: TXT values by name, HTTP bodies by URL. */
function recordsShown(view: CustomHostnameView) {
  const txt = new Map<string, string>();
  const http = new Map<string, string>();
  for (const record of [...(view.ownership === null ? [] : [view.ownership]), ...view.ssl.records]) {
    if (record.type === "txt") txt.set(record.name, record.value);
    else http.set(record.url, record.body);
  }
  return { txt, http };
}

describe("a tenant's own domain through npm run dev", () => {
  const id = unique("own");
  const greeting = `Hello from ${id}`;
  const shop = ownDomain("shop");
  const blog = ownDomain("blog");
  const never = ownDomain("never");

  it("GET shows a hostname added to the tenant pending, with exactly the records to publish", async () => {
    await controlPlane.onboard({
      id,
      plan: "free",
      vars: { GREETING: greeting },
      script: {
        mainModule: "index.js",
        modules: { "index.js": "export default { fetch: (request, env) => new Response(env.GREETING) }" },
      },
    });
    await setHostnames(id, [shop]);

    const view = await viewOf(id, shop);
    const [onZone, ...others] = await zone.customHostnames(shop);
    expect(others).toEqual([]);
    expect(onZone?.custom_metadata).toEqual({ tenant_id: id });
    expect(view).toEqual({
      hostname: shop,
      status: "pending",
      ssl: {
        status: "pending_validation",
        records: [{ type: "txt", name: `_acme-challenge.${shop}`, value: expect.any(String) }],
      },
      ownership: { type: "txt", name: `_cf-custom-hostname.${shop}`, value: expect.any(String) },
      errors: [],
      checkedAt: expect.stringMatching(ISO),
      liveAt: null,
    });
    // Exactly what Cloudflare (the emulator) will look for: the same names and values, nothing else.
    if (onZone === undefined) throw new Error(`the zone has no custom hostname ${shop}`);
    expect(recordsShown(view)).toEqual(recordsToPublish(onZone));
  });

  it("before they are published, the dispatcher answers the hostname 503 hostname_pending, a page saying so", async () => {
    const json = await dispatched(shop);
    expect(json.status, json.body).toBe(503);
    expect(JSON.parse(json.body)).toMatchObject({ error: { code: "hostname_pending" } });
    expect(json.body).not.toContain(greeting);

    const page = await dispatched(shop, "text/html");
    expect(page.status, page.body).toBe(503);
    expect(page.body).toContain("This domain is being set up");
    expect(page.body).not.toContain(greeting);
  });

  it("published in the emulator's DNS, it goes active, its liveAt recorded, and serves the tenant's code", async () => {
    expect(await zone.publish(shop)).toEqual({ hostname: shop, txt: 2, http: 0 });

    const live = await viewOnce(id, shop, isLive);
    expect(live).toMatchObject({
      status: "active",
      ssl: { status: "active", records: [] },
      ownership: null,
      errors: [],
      liveAt: expect.stringMatching(ISO),
    });
    const served = await eventually(async () => {
      const answer = await dispatched(shop);
      return answer.status === 200 ? answer : null;
    });
    expect(served.body).toBe(greeting);
  });

  it("`wfp hostnames` prints the records to publish, and with --wait returns once the hostname is active", async () => {
    await setHostnames(id, [shop, blog]);
    const pending = await viewOf(id, blog);
    const listed = await wfp(["hostnames", id]);
    expect(listed.code, explain(listed)).toBe(0);
    expect(listed.stdout).toContain(`${shop}  active  (certificate active; live)`);
    expect(listed.stdout).toContain(`${blog}  pending  (certificate pending_validation; not live yet)`);
    for (const [name, value] of recordsShown(pending).txt) expect(listed.stdout).toContain(`TXT   ${name}  ${value}`);

    const lines: string[] = [];
    const waiting = spawnGroup(
      process.execPath,
      [path.join(REPO_ROOT, "cli/wfp.ts"), "hostnames", id, "--wait", "--interval", "200", "--timeout", "120"],
      { cwd: REPO_ROOT, env: { ...process.env, ...dev.wfpEnv() }, onLine: (line) => lines.push(line) },
    );
    try {
      // It is waiting: it noted a later check of the hostname, still pending.
      await eventually(
        async () => (lines.some((line) => line.startsWith(`${blog}  pending`)) ? true : null),
        CHECKS_TIMEOUT_MS,
      );
      await zone.publish(blog);
      expect(await waiting.exited, lines.join("\n")).toBe(0);
      await waiting.drained;
    } finally {
      await waiting.stop();
    }
    // Its result (stdout, beside its notes on stderr): the hostname live, and since when.
    const live = `${blog}  active  (certificate active; live)`;
    expect(
      lines.some((line, i) => line === live && /^ {2}live since \d{4}-/.test(lines[i + 1] ?? "")),
      lines.join("\n"),
    ).toBe(true);
  });

  it("one whose records are never published stays pending, is reported once validation times out, and is never served", async () => {
    await setHostnames(id, [shop, blog, never]);
    const first = await viewOf(id, never);
    // Checked again, still pending, and only the tenant's page saying so.
    const later = await viewOnce(id, never, (view) => view.checkedAt !== first.checkedAt);
    expect(later).toMatchObject({ status: "pending", ssl: { status: "pending_validation" }, errors: [], liveAt: null });
    expect((await dispatched(never)).status).toBe(503);

    const timeout = await zone.validationTimeoutMs();
    await zone.setValidationTimeoutMs(0);
    let failed: CustomHostnameView;
    try {
      failed = await viewOnce(id, never, (view) => hasFailed(view) && view.errors.some((e) => e.includes("stopped")));
    } finally {
      await zone.setValidationTimeoutMs(timeout);
    }
    expect(failed).toMatchObject({ status: "pending", ssl: { status: "validation_timed_out" }, liveAt: null });
    expect(failed.errors).toEqual(
      expect.arrayContaining([
        expect.stringContaining("timed out"),
        expect.stringContaining("Cloudflare stopped validating it"),
      ]),
    );
    const answer = await dispatched(never);
    expect(answer.status, answer.body).toBe(503);
    expect(answer.body).not.toContain(greeting);

    const waited = await wfp(["hostnames", id, "--wait"]);
    expect(waited.code, explain(waited)).toBe(4);
    expect(waited.stderr).toContain(`not validated: ${never} (pending, certificate validation_timed_out)`);
    // The two published stay live.
    expect((await dispatched(shop)).body).toBe(greeting);
    expect((await dispatched(blog)).body).toBe(greeting);
  });

  it("deleting the tenant deletes its custom hostnames on the platform's zone", async () => {
    for (const hostname of [shop, blog, never]) {
      expect((await zone.customHostnames(hostname)).map((entry) => entry.custom_metadata)).toEqual([{ tenant_id: id }]);
    }
    const deleted = await controlPlane.api("DELETE", `/v1/tenants/${id}`);
    expect(deleted.status, deleted.text).toBe(202);
    expect((await controlPlane.settled(id)).state).toBe("deleted");
    for (const hostname of [shop, blog, never]) expect(await zone.customHostnames(hostname)).toEqual([]);
    expect((await dispatched(shop)).status).toBe(404);
  });
});
