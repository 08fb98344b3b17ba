import { beforeAll, describe, expect, it } from "vitest";
import type { LogEvent } from "../../../platform/tenant-logs";
import type { TenantView, VersionView } from "../../../platform/tenants-api";
import { consolePath } from "../../src/console/layout";
import { customHostnameOf } from "../tenants/custom-hostname-support";
import { eventually } from "../tenants/eventually";
import {
  api,
  clearFaults,
  ensureNamespace,
  injectFault,
  NOTES_APP,
  newTenant,
  settled,
  testEnv,
  uniqueId,
} from "../tenants/support";
import { browse, csrfOf, pageHtml, post, signIn } from "./console-support";

// A tenant's page (/console/tenants/:id), read as a browser gets it: its HTML, and what its forms
// change through /v1.

let cookie: string;
beforeAll(async () => {
  await ensureNamespace();
  cookie = await signIn();
});

/** The page's HTML, with its status checked. */
const page = (path: string, status = 200) => pageHtml(path, cookie, status);

/** Text as Hono's JSX writes it into HTML. */
const escaped = (text: string) =>
  text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

async function versionsOf(id: string): Promise<VersionView[]> {
  return ((await api("GET", `/v1/tenants/${id}/versions`)).json as unknown as { versions: VersionView[] }).versions;
}

async function onboard(id: string, extra: Parameters<typeof newTenant>[1] = {}): Promise<TenantView> {
  const created = await api("POST", "/v1/tenants", newTenant(id, extra));
  expect(created.status, created.text).toBe(202);
  const tenant = await settled(id, ["active", "failed"]);
  expect(tenant.state, JSON.stringify(tenant.lastError)).toBe("active");
  return tenant;
}

describe("a tenant's page", () => {
  it("shows its facts, resources, hostnames with their DNS records, vars, secret names, operations and versions, and never a secret's value", async () => {
    const id = uniqueId("page");
    const hostname = `${id}.example.com`;
    const secret = `never-shown-${crypto.randomUUID()}`;
    const other = `never-shown-either-${crypto.randomUUID()}`;
    await onboard(id, {
      hostnames: [hostname],
      vars: { GREETING: "hello from the page" },
      secrets: { API_KEY: secret },
    });
    expect((await api("PUT", `/v1/tenants/${id}/secrets/OTHER_KEY`, { value: other })).status).toBe(202);
    const tenant = await settled(id, ["active"]);
    const custom = await eventually(() => customHostnameOf(id, hostname));

    const html = await page(consolePath.tenant(id));
    // Facts.
    expect(html).toContain(`<title>Tenant ${id} · WfP console</title>`);
    expect(html).toContain('<span class="badge ok">active</span>');
    expect(html).toContain("<dd>pro</dd>");
    expect(html).toContain(`href="${consolePath.editTenant(id)}"`);
    expect(html).toContain(`href="${consolePath.deleteTenant(id)}"`);
    expect(html).not.toMatch(/<section id="tenant-(facts|operations|versions)"[^>]* data-refresh-ms/);
    // Resources and the script, with their ids.
    expect(html).toContain(tenant.resources.kv?.id);
    expect(html).toContain(tenant.resources.kv?.title);
    expect(html).toContain(tenant.resources.r2?.name);
    expect(html).toContain(tenant.resources.d1?.id);
    expect(html).toContain(tenant.script?.etag);
    expect(html).toContain(tenant.script?.compatibilityDate);
    // Hostnames: the platform's, and the custom one with what to publish and a button to check it.
    expect(html).toContain(`${id}.localhost`);
    expect(html).toContain(escaped(hostname));
    const records = [...(custom.ownership === null ? [] : [custom.ownership]), ...custom.ssl.records];
    expect(records.length).toBeGreaterThan(0);
    for (const record of records) {
      if (record.type === "txt") {
        expect(html).toContain(escaped(record.name));
        expect(html).toContain(escaped(record.value));
      } else {
        expect(html).toContain(escaped(record.url));
        expect(html).toContain(escaped(record.body));
      }
    }
    expect(html).toContain(`action="${consolePath.checkHostname(id, hostname)}"`);
    // Vars, and the secrets' names.
    expect(html).toContain("GREETING");
    expect(html).toContain("hello from the page");
    expect(html).toContain("API_KEY");
    expect(html).toContain("OTHER_KEY");
    // Operations, newest first, each a timeline of its steps.
    expect(html).toContain('<ol class="timeline">');
    const putSecret = html.indexOf("put_secret");
    const provision = html.indexOf("provision ");
    expect(putSecret).toBeGreaterThan(-1);
    expect(provision).toBeGreaterThan(putSecret);
    for (const step of ["check_script", "create_kv", "create_r2", "create_d1", "upload_script"]) {
      expect(html, step).toContain(`<span class="mono">${step}</span>`);
    }
    expect(html).toContain("1 attempt");
    // Versions: the secret's change made the second; it leads, with its preview.
    const versions = await versionsOf(id);
    expect(versions).toHaveLength(2);
    const [latest, first] = versions as [VersionView, VersionView];
    expect(html).toContain("#2");
    expect(html).toContain(`href="${escaped(latest.previewUrl ?? "missing")}"`);
    expect(html).toContain(`action="${consolePath.deployVersion(id, first.id)}"`);
    expect(html).toContain(`action="${consolePath.rollbackTenant(id)}"`);
    // The traffic section and the logs' place.
    expect(html).toContain('id="traffic-title"');
    expect(html).toContain(`data-live-logs="${consolePath.tenantLiveLogs(id)}?after=`);

    // No page of the tenant's has a secret's value: this page, its older pages, its forms.
    for (const path of [
      consolePath.tenant(id),
      `${consolePath.tenant(id)}?operations=1&versions=1`,
      consolePath.editTenant(id),
      consolePath.deleteTenant(id),
      consolePath.tenantTraffic(id),
    ]) {
      const response = await browse(path, { cookie });
      const text = await response.text();
      expect(response.status, path).toBe(200);
      expect(text, path).not.toContain(secret);
      expect(text, path).not.toContain(other);
    }

    // Version #1 has other secrets than the latest: /v1 refuses it, and the page offers to force it.
    const refused = await post(consolePath.deployVersion(id, first.id), { _csrf: csrfOf(html) }, cookie);
    const refusal = await refused.text();
    expect(refused.status).toBe(409);
    expect(refusal).toContain("Nothing was changed");
    expect(refusal).toContain("OTHER_KEY");
    expect(refusal).not.toContain(secret);
    expect(refusal).not.toContain(other);
    expect(refusal).toMatch(
      new RegExp(`<form method="post" action="${consolePath.deployVersion(id, first.id)}">.*name="force" value="true"`),
    );
    expect((await versionsOf(id)).map((version) => version.percentage)).toEqual([100, 0]);
    const forced = await post(consolePath.deployVersion(id, first.id), { _csrf: csrfOf(html), force: "true" }, cookie);
    expect(forced.status, await forced.clone().text()).toBe(303);
    await settled(id, ["active"]);
    expect((await versionsOf(id)).map((version) => version.percentage)).toEqual([0, 100]);

    // "Check now" asks /v1 to check the hostname again, and comes back with a notice.
    const checked = await post(consolePath.checkHostname(id, hostname), { _csrf: csrfOf(html) }, cookie);
    expect(checked.status, await checked.clone().text()).toBe(303);
    expect(checked.headers.get("location")).toBe(`${consolePath.tenant(id)}?notice=hostname-checked`);
    expect(await page(checked.headers.get("location") ?? "")).toContain('class="notice ok"');
  });

  it("is a 404 page for a tenant that does not exist; a deleted one shows its facts and operations, nothing to change", async () => {
    const html = await page(consolePath.tenant(uniqueId("none")), 404);
    expect(html).toContain("There is no tenant");

    const id = uniqueId("page-gone");
    const created = await api("POST", "/v1/tenants", {
      id,
      plan: "free",
      resources: { kv: false, r2: false, d1: false },
    });
    expect(created.status, created.text).toBe(202);
    await settled(id, ["active"]);
    expect((await api("DELETE", `/v1/tenants/${id}`)).status).toBe(202);
    await settled(id, ["deleted"]);
    const gone = await page(consolePath.tenant(id));
    expect(gone).toContain('<span class="badge muted">deleted</span>');
    expect(gone).toMatch(/delete <span class="badge ok">succeeded<\/span>/);
    expect(gone).toContain("its logs with it");
    expect(gone).not.toContain(`href="${consolePath.editTenant(id)}"`);
    expect(gone).not.toContain('<form method="post" action="/console/tenants/');
  });

  it("follows a tenant while it provisions, and stops once it is active", async () => {
    // The KV namespace's create is held back a while: the tenant is seen provisioning.
    await injectFault({
      method: "POST",
      path: "/accounts/*/storage/kv/namespaces",
      times: 1,
      action: { kind: "delay", ms: 4000 },
    });
    try {
      const id = uniqueId("page-prov");
      expect((await api("POST", "/v1/tenants", newTenant(id))).status).toBe(202);
      const busy = await page(consolePath.tenant(id));
      expect(busy).toContain('<span class="badge info">provisioning</span>');
      expect(busy).toMatch(/<section id="tenant-facts"[^>]* data-refresh-ms="2000"/);
      expect(busy).toMatch(/<section id="tenant-operations"[^>]* data-refresh-ms="2000"/);
      expect(busy).toMatch(/<section id="tenant-versions"[^>]* data-refresh-ms="2000"/);
      // A refusal is shown at the form's URL, which has no page to re-read: nothing follows there.
      const refused = await post(consolePath.deployVersion(id, "not-a-version"), { _csrf: csrfOf(busy) }, cookie);
      expect(refused.status).toBe(400);
      const refusal = await refused.text();
      expect(refusal).toContain('<span class="badge info">provisioning</span>');
      expect(refusal).not.toMatch(/<section id="tenant-(facts|operations|versions)"[^>]* data-refresh-ms/);
      await settled(id, ["active"]);
      const done = await page(consolePath.tenant(id));
      expect(done).toContain('<span class="badge ok">active</span>');
      expect(done).not.toMatch(/<section id="tenant-(facts|operations|versions)"[^>]* data-refresh-ms/);
    } finally {
      await clearFaults();
    }
  });

  it("deploys a version and rolls back through /v1, noted as the console's", async () => {
    const id = uniqueId("page-ver");
    await onboard(id);
    const v2 = NOTES_APP.modules["index.js"] as string;
    const uploaded = await api("PUT", `/v1/tenants/${id}/script`, {
      ...NOTES_APP,
      modules: { ...NOTES_APP.modules, "index.js": `${v2}\n// v2` },
    });
    expect(uploaded.status, uploaded.text).toBe(202);
    await settled(id, ["active"]);
    const [two, one] = (await versionsOf(id)) as [VersionView, VersionView];
    expect([two.percentage, one.percentage]).toEqual([100, 0]);

    const html = await page(consolePath.tenant(id));
    const csrf = csrfOf(html);
    // A forged post (no CSRF token) changes nothing.
    expect((await post(consolePath.deployVersion(id, one.id), {}, cookie)).status).toBe(403);
    expect((await versionsOf(id))[1]?.percentage).toBe(0);

    const deployed = await post(consolePath.deployVersion(id, one.id), { _csrf: csrf }, cookie);
    expect(deployed.status, await deployed.clone().text()).toBe(303);
    expect(deployed.headers.get("location")).toBe(`${consolePath.tenant(id)}?notice=version-deployed`);
    await settled(id, ["active"]);
    expect((await versionsOf(id)).map((version) => version.percentage)).toEqual([0, 100]);
    expect(await deploymentCreatedBy(id)).toBe("console");
    const after = await page(`${consolePath.tenant(id)}?notice=version-deployed`);
    expect(after).toContain("The version is being deployed");
    expect(after).toContain(`action="${consolePath.deployVersion(id, two.id)}"`);

    const rolledBack = await post(consolePath.rollbackTenant(id), { _csrf: csrf }, cookie);
    expect(rolledBack.status, await rolledBack.clone().text()).toBe(303);
    expect(rolledBack.headers.get("location")).toBe(`${consolePath.tenant(id)}?notice=rolled-back`);
    await settled(id, ["active"]);
    expect((await versionsOf(id)).map((version) => version.percentage)).toEqual([100, 0]);
    expect(await deploymentCreatedBy(id)).toBe("console");

    // The API's refusal is shown on the page, with its status, and nothing changes.
    const refused = await post(consolePath.deployVersion(id, "not-a-version"), { _csrf: csrf }, cookie);
    const text = await refused.text();
    expect(refused.status).toBe(400);
    expect(text).toContain("Nothing was changed");
    expect(text).toContain(`Tenant ${id}`);
    expect((await versionsOf(id)).map((version) => version.percentage)).toEqual([100, 0]);
  });
});

/** Who the tenant's latest deployment operation was noted as made by. */
async function deploymentCreatedBy(id: string): Promise<unknown> {
  const row = await testEnv.DB.prepare(
    "SELECT input FROM operations WHERE tenant_id = ? AND kind = 'deployment' ORDER BY rowid DESC LIMIT 1",
  )
    .bind(id)
    .first<{ input: string }>();
  return row === null ? null : (JSON.parse(row.input) as { createdBy?: string }).createdBy;
}

describe("a tenant's live logs", () => {
  /** A tenant with no code or resources: quick to make, and enough to have logs. */
  async function bareTenant(): Promise<string> {
    const id = uniqueId("page-logs");
    const created = await api("POST", "/v1/tenants", {
      id,
      plan: "free",
      resources: { kv: false, r2: false, d1: false },
    });
    expect(created.status, created.text).toBe(202);
    await settled(id, ["active"]);
    return id;
  }

  /** Files an event for the tenant in the tail Worker's stand-in, as the tail Worker would on an invocation. */
  async function logs(id: string, message: string): Promise<void> {
    const event: Omit<LogEvent, "id"> = {
      timestamp: new Date().toISOString(),
      outcome: "ok",
      request: { method: "GET", url: `https://${id}.localhost/`, status: 200 },
      logs: [{ timestamp: new Date().toISOString(), level: "log", message }],
      exceptions: [],
      truncated: false,
    };
    const response = await testEnv.TAIL.fetch(`https://tail/tenants/${id}/logs`, {
      method: "POST",
      body: JSON.stringify([event]),
    });
    expect(response.status).toBe(201);
  }

  it("shows the last logs on the page", async () => {
    const id = await bareTenant();
    await logs(id, "an earlier line <b>not bold</b>");
    const html = await page(consolePath.tenant(id));
    expect(html).toMatch(/<pre class="logs"[^>]*>[^<]*an earlier line &lt;b&gt;not bold&lt;\/b&gt;/);
  });

  it("refuses a browser without a session, and is a 404 for an unknown tenant", async () => {
    const id = await bareTenant();
    const anonymous = await browse(consolePath.tenantLiveLogs(id));
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toMatch(/^\/console\/sign-in\?next=/);
    expect((await browse(consolePath.tenantLiveLogs(uniqueId("none")), { cookie })).status).toBe(404);
  });

  /** Reads the stream until it holds `wanted`; all it read. */
  async function readUntil(reader: ReadableStreamDefaultReader<string>, wanted: string): Promise<string> {
    let received = "";
    while (!received.includes(wanted)) {
      const { value, done } = await reader.read();
      if (done) break;
      received += value;
    }
    return received;
  }

  const openStream = async (path: string, headers: Record<string, string> = {}) => {
    const response = await browse(path, { cookie, headers });
    expect(response.status).toBe(200);
    return (response.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
  };

  it("starts after the page's newest event: what was logged in between comes first, once; a reconnect takes up after its last event", async () => {
    const id = await bareTenant();
    expect(await page(consolePath.tenant(id))).toContain(
      `data-live-logs="${consolePath.tenantLiveLogs(id)}?after=none"`,
    );
    await logs(id, "shown on the page");
    const html = await page(consolePath.tenant(id));
    const url = /data-live-logs="([^"]+)"/.exec(html)?.[1] as string;
    expect(url).toMatch(/\?after=\d+$/);
    await logs(id, "logged between the page and the stream");

    const stream = await openStream(url);
    await logs(id, "logged live");
    const received = await readUntil(stream, "logged live");
    await stream.cancel();
    expect(received).not.toContain("shown on the page");
    expect(received.split("logged between the page and the stream")).toHaveLength(2);
    expect(received.indexOf("logged between")).toBeLessThan(received.indexOf("logged live"));

    // The browser reconnects with the id of the last event it got before "logged live".
    const ids = [...received.matchAll(/^id: (\d+)$/gm)].map((match) => match[1] as string);
    expect(ids).toHaveLength(2);
    const again = await openStream(url, { "last-event-id": ids[0] as string });
    await logs(id, "after the reconnect");
    const resumed = await readUntil(again, "after the reconnect");
    await again.cancel();
    expect(resumed).not.toContain("logged between");
    expect(resumed.split("logged live")).toHaveLength(2);
  });

  it("streams what the tenant logs, as it logs it, as Server-Sent Events", async () => {
    const id = await bareTenant();
    const response = await browse(consolePath.tenantLiveLogs(id), { cookie });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = (response.body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream()).getReader();
    const message = `live line ${crypto.randomUUID()}`;
    await logs(id, message);
    const received = await readUntil(reader, message);
    await reader.cancel();
    expect(received).toContain(`data:   log   ${message}`);
    expect(received).toMatch(new RegExp(`data: \\S+ ok GET https://${id}\\.localhost/ 200`));
  });
});
