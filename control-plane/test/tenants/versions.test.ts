import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { previewHostname } from "../../../platform/routes";
import type { ScriptSource, VersionView } from "../../../platform/tenants-api";
import { anonymous, expectError } from "./api-support";
import { eventually } from "./eventually";
import {
  api,
  clearFaults,
  emulator,
  ensureNamespace,
  faultNow,
  injectFault,
  NOTES_APP,
  newTenant,
  routeOf,
  settled,
  testEnv,
  uniqueId,
  visit,
} from "./support";

beforeAll(ensureNamespace);
afterEach(clearFaults);

const V2: ScriptSource = {
  ...NOTES_APP,
  modules: { ...NOTES_APP.modules, "lib/greet.js": `export const greet = (word) => word + " from v2";` },
};

const DOMAIN = "localhost";

async function onboard(prefix: string) {
  const id = uniqueId(prefix);
  const created = await api("POST", "/v1/tenants", newTenant(id));
  expect(created.status, created.text).toBe(202);
  expect((await settled(id, ["active", "failed"])).state).toBe("active");
  return id;
}

async function versionsOf(id: string): Promise<VersionView[]> {
  const answer = await api("GET", `/v1/tenants/${id}/versions`);
  expect(answer.status, answer.text).toBe(200);
  return (answer.json as unknown as { versions: VersionView[] }).versions;
}

/** Onboards a tenant, then stages V2 beside its first version: `[v2, v1]`. */
async function withStagedVersion(prefix: string) {
  const id = await onboard(prefix);
  const staged = await api("PUT", `/v1/tenants/${id}/script?deploy=false`, { ...V2, message: "second, staged" });
  expect(staged.status, staged.text).toBe(202);
  expect((await settled(id, ["active", "failed"])).state).toBe("active");
  const [two, one] = (await versionsOf(id)) as [VersionView, VersionView];
  return { id, one, two };
}

/** What a hostname answers through the dispatcher, once its route (cached a few seconds) says so. */
async function servedAt(hostname: string, wanted: string): Promise<string> {
  return eventually(async () => {
    const text = await (await testEnv.DISPATCHER_HTTP.fetch(`http://${hostname}/`)).text();
    return text === wanted ? text : null;
  });
}

/** The deployment the emulator's API serves for the tenant's script. */
async function activeDeployment(id: string) {
  const answer = await emulator(
    "GET",
    `/client/v4/accounts/${testEnv.CLOUDFLARE_ACCOUNT_ID}/workers/dispatch/namespaces/${testEnv.DISPATCH_NAMESPACE}/scripts/${id}/deployments`,
  );
  const { deployments } = answer.json.result as {
    deployments: { versions: { version_id: string; percentage: number }[] }[];
  };
  return deployments[0]?.versions.map((version) => ({ id: version.version_id, percentage: version.percentage }));
}

const deploy = (id: string, versions: { id: string; percentage: number }[], extra = {}) =>
  api("POST", `/v1/tenants/${id}/deployments`, { versions, ...extra });

describe("a tenant's versions", () => {
  it("records each upload as a version; the first is deployed with a preview route of its own", async () => {
    const id = await onboard("ver-first");
    const [first, ...rest] = await versionsOf(id);
    expect(rest).toEqual([]);
    expect(first).toMatchObject({
      number: 1,
      percentage: 100,
      createdBy: "api",
      message: "first code, at provisioning",
      previewUrl: `http://${previewHostname(first?.id as string, id, DOMAIN)}:8787/`,
    });
    const preview = await routeOf(previewHostname(first?.id as string, id, DOMAIN));
    expect(preview).toMatchObject({ tenantId: id, version: first?.id, status: "active" });
    expect(preview?.split).toBeUndefined();
    expect(await activeDeployment(id)).toEqual([{ id: first?.id, percentage: 100 }]);
  });

  it("deploy=false: the new version is staged at 0%, answers at its preview hostname, and the traffic stays", async () => {
    const { id, one, two } = await withStagedVersion("ver-staged");
    expect(two).toMatchObject({ number: 2, percentage: 0, message: "second, staged" });
    expect(two.previewUrl).not.toBeNull();
    expect(one).toMatchObject({ number: 1, percentage: 100 });
    expect(await activeDeployment(id)).toEqual([
      { id: one.id, percentage: 100 },
      { id: two.id, percentage: 0 },
    ]);
    expect(await routeOf(previewHostname(two.id, id, DOMAIN))).toMatchObject({ version: two.id });
    expect((await routeOf(`${id}.${DOMAIN}`))?.split).toBeUndefined();
    expect(await servedAt(previewHostname(two.id, id, DOMAIN), "hi from v2")).toBe("hi from v2");
    expect(await (await visit(id)).text()).toBe("hi from v1");
    // The tenant's view shows the live code: the first version's.
    const tenant = (await api("GET", `/v1/tenants/${id}`)).json;
    expect(tenant.operation?.kind).toBe("deploy");
  });

  it("deploy=false of a script the API refuses is a 422: nothing staged, its D1 migration not applied", async () => {
    const id = await onboard("ver-refused");
    const broken = await api("PUT", `/v1/tenants/${id}/script?deploy=false`, {
      ...NOTES_APP,
      modules: { ...NOTES_APP.modules, "index.js": "export default {" },
      migrations: { ...NOTES_APP.migrations, "0002_tags.sql": "ALTER TABLE notes ADD COLUMN tag TEXT;" },
    });
    expectError(broken, 422, "script_rejected");
    const [only, ...rest] = await versionsOf(id);
    expect(rest).toEqual([]);
    expect(await activeDeployment(id)).toEqual([{ id: only?.id, percentage: 100 }]);
    const tenant = (await api("GET", `/v1/tenants/${id}`)).json;
    const applied = await testEnv.EMULATOR.fetch(
      `http://emulator/client/v4/accounts/${testEnv.CLOUDFLARE_ACCOUNT_ID}/d1/database/${tenant.resources.d1?.id}/query`,
      {
        method: "POST",
        headers: { authorization: `Bearer ${testEnv.EMULATOR_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ sql: "SELECT name FROM d1_migrations ORDER BY name" }),
      },
    );
    const [result] = ((await applied.json()) as { result: { results: { name: string }[] }[] }).result;
    expect(result?.results.map((row) => row.name)).toEqual(["0001_notes.sql"]);
  });

  it("a suspended tenant's previews are suspended too", async () => {
    const { id, two } = await withStagedVersion("ver-suspend");
    expect((await api("PATCH", `/v1/tenants/${id}`, { suspended: true })).status).toBe(202);
    await settled(id, ["suspended"]);
    expect((await routeOf(previewHostname(two.id, id, DOMAIN)))?.status).toBe("suspended");
    expect((await api("PATCH", `/v1/tenants/${id}`, { suspended: false })).status).toBe(202);
    await settled(id, ["active"]);
    expect((await routeOf(previewHostname(two.id, id, DOMAIN)))?.status).toBe("active");
  });

  it("a second deploy=false replaces the staged version; a plain deploy replaces the deployment", async () => {
    const { id, one, two } = await withStagedVersion("ver-restage");
    const again = await api("PUT", `/v1/tenants/${id}/script?deploy=false`, {
      ...V2,
      modules: { ...V2.modules, "lib/greet.js": `export const greet = (word) => word + " from v3";` },
    });
    expect(again.status, again.text).toBe(202);
    await settled(id, ["active"]);
    const [three] = await versionsOf(id);
    expect(await activeDeployment(id)).toEqual([
      { id: one.id, percentage: 100 },
      { id: three?.id, percentage: 0 },
    ]);
    // The version that left the deployment has no preview route any more.
    expect(await routeOf(previewHostname(two.id, id, DOMAIN))).toBeNull();

    const deployed = await api("PUT", `/v1/tenants/${id}/script`, V2);
    expect(deployed.status, deployed.text).toBe(202);
    await settled(id, ["active"]);
    const [four] = await versionsOf(id);
    expect(four).toMatchObject({ number: 4, percentage: 100, message: "new code" });
    expect(await activeDeployment(id)).toEqual([{ id: four?.id, percentage: 100 }]);
    expect(await routeOf(previewHostname(one.id, id, DOMAIN))).toBeNull();
    expect(await routeOf(previewHostname(three?.id as string, id, DOMAIN))).toBeNull();
  });

  it("a 50/50 deployment splits the tenant's routes; deploying one version ends it; rollback returns to the one before", async () => {
    const { id, one, two } = await withStagedVersion("ver-split");
    const split = await deploy(id, [
      { id: one.id, percentage: 50 },
      { id: two.id, percentage: 50 },
    ]);
    expect(split.status, split.text).toBe(202);
    await settled(id, ["active"]);
    expect((await versionsOf(id)).map((version) => version.percentage)).toEqual([50, 50]);
    expect((await routeOf(`${id}.${DOMAIN}`))?.split).toBe(true);
    // The previews of both stay one version each.
    expect((await routeOf(previewHostname(one.id, id, DOMAIN)))?.split).toBeUndefined();

    const all = await deploy(id, [{ id: two.id, percentage: 100 }], { message: "all on two" });
    expect(all.status, all.text).toBe(202);
    await settled(id, ["active"]);
    expect((await routeOf(`${id}.${DOMAIN}`))?.split).toBeUndefined();
    expect(await routeOf(previewHostname(one.id, id, DOMAIN))).toBeNull();
    expect(await servedAt(`${id}.${DOMAIN}`, "hi from v2")).toBe("hi from v2");

    const back = await api("POST", `/v1/tenants/${id}/rollback`, {});
    expect(back.status, back.text).toBe(202);
    await settled(id, ["active"]);
    expect(await activeDeployment(id)).toEqual([{ id: one.id, percentage: 100 }]);
    expect(await servedAt(`${id}.${DOMAIN}`, "hi from v1")).toBe("hi from v1");
    // The tenant's data is where it was.
    expect(await (await visit(id, "/kv")).text()).toBe("kv-ok");
    expect(await (await visit(id, "/d1")).text()).toBe("d1-ok");
  });

  it("a rollback during a gradual deployment sends all the traffic back to the version that had it, led or leading", async () => {
    const { id, one, two } = await withStagedVersion("ver-canary");
    for (const shares of [
      [10, 90],
      [60, 40],
    ] as const) {
      const canary = await deploy(id, [
        { id: two.id, percentage: shares[0] },
        { id: one.id, percentage: shares[1] },
      ]);
      expect(canary.status, canary.text).toBe(202);
      await settled(id, ["active"]);
      const back = await api("POST", `/v1/tenants/${id}/rollback`, {});
      expect(back.status, back.text).toBe(202);
      await settled(id, ["active"]);
      expect(await activeDeployment(id)).toEqual([{ id: one.id, percentage: 100 }]);
      expect((await routeOf(`${id}.${DOMAIN}`))?.split).toBeUndefined();
    }
  });

  it("a rollback with nothing before is a 409; one to a named version deploys it", async () => {
    const id = await onboard("ver-nothing");
    expectError(await api("POST", `/v1/tenants/${id}/rollback`, {}), 409, "conflict");
    const deployed = await api("PUT", `/v1/tenants/${id}/script`, V2);
    expect(deployed.status, deployed.text).toBe(202);
    await settled(id, ["active"]);
    const [, one] = (await versionsOf(id)) as [VersionView, VersionView];
    const back = await api("POST", `/v1/tenants/${id}/rollback`, { versionId: one.id, message: "v2 was wrong" });
    expect(back.status, back.text).toBe(202);
    await settled(id, ["active"]);
    expect(await activeDeployment(id)).toEqual([{ id: one.id, percentage: 100 }]);
  });

  it("a rollout's deploy is a version noted as the rollout's", async () => {
    const id = await onboard("ver-rollout");
    const started = await api("POST", "/v1/rollouts", {
      script: V2,
      filter: { tenants: [id] },
      canary: { tenants: 0 },
    });
    expect(started.status, started.text).toBe(202);
    const rolloutId = (started.json as unknown as { id: string }).id;
    const [latest] = await eventually(async () => {
      const versions = await versionsOf(id);
      return versions.length === 2 ? versions : null;
    });
    expect(latest).toMatchObject({
      number: 2,
      percentage: 100,
      createdBy: `rollout:${rolloutId}`,
      message: `rollout ${rolloutId}`,
    });
  });

  it("pages the versions list, newest first", async () => {
    const id = await onboard("ver-pages");
    for (const greeting of ["two", "three"]) {
      const answer = await api("PUT", `/v1/tenants/${id}/script`, {
        ...NOTES_APP,
        modules: { ...NOTES_APP.modules, "lib/greet.js": `export const greet = (w) => w + " ${greeting}";` },
      });
      expect(answer.status, answer.text).toBe(202);
      await settled(id, ["active"]);
    }
    const first = await api("GET", `/v1/tenants/${id}/versions?limit=2`);
    const page1 = first.json as unknown as { versions: VersionView[]; cursor: string | null };
    expect(page1.versions.map((version) => version.number)).toEqual([3, 2]);
    expect(page1.cursor).not.toBeNull();
    const second = await api("GET", `/v1/tenants/${id}/versions?limit=2&cursor=${page1.cursor}`);
    const page2 = second.json as unknown as { versions: VersionView[]; cursor: string | null };
    expect(page2.versions.map((version) => version.number)).toEqual([1]);
    expect(page2.cursor).toBeNull();
  });
});

describe("secrets and versions", () => {
  it("a secret change makes a version; rolling back past it is a 409 naming the secret, unless forced", async () => {
    const id = await onboard("ver-secret");
    expect((await api("PUT", `/v1/tenants/${id}/secrets/API_KEY`, { value: "s3cret-value" })).status).toBe(202);
    await settled(id, ["active"]);
    const [withSecret, first] = (await versionsOf(id)) as [VersionView, VersionView];
    expect(withSecret).toMatchObject({ number: 2, percentage: 100, message: "secret API_KEY set" });
    expect(first.percentage).toBe(0);
    expect(await activeDeployment(id)).toEqual([{ id: withSecret.id, percentage: 100 }]);

    const refused = expectError(await api("POST", `/v1/tenants/${id}/rollback`, {}), 409, "secrets_changed");
    expect(refused.message).toContain("API_KEY");
    expect(refused.message).not.toContain("s3cret-value");
    expect(await activeDeployment(id)).toEqual([{ id: withSecret.id, percentage: 100 }]);

    const forced = await api("POST", `/v1/tenants/${id}/rollback`, { force: true });
    expect(forced.status, forced.text).toBe(202);
    const tenant = await settled(id, ["active"]);
    expect(await activeDeployment(id)).toEqual([{ id: first.id, percentage: 100 }]);
    // The first version had no secret: it runs without, and the registry says so.
    expect(tenant.secrets).toEqual([]);
    expect(await servedAt(`${id}.${DOMAIN}`, "hi from v1")).toBe("hi from v1");
    expect(await (await visit(id, "/secret")).text()).toBe("no secret");
  });

  it("a rollback to a secret change's version keeps the script's etag (the tenant still has a script)", async () => {
    const id = await onboard("ver-etag");
    expect((await api("PUT", `/v1/tenants/${id}/secrets/API_KEY`, { value: "s3cret-value" })).status).toBe(202);
    await settled(id, ["active"]);
    expect((await api("PUT", `/v1/tenants/${id}/script`, V2)).status).toBe(202);
    const before = await settled(id, ["active"]);
    const [, withSecret] = (await versionsOf(id)) as [VersionView, VersionView];
    expect(withSecret.message).toBe("secret API_KEY set");
    const back = await api("POST", `/v1/tenants/${id}/rollback`, {});
    expect(back.status, back.text).toBe(202);
    const after = await settled(id, ["active"]);
    expect(await activeDeployment(id)).toEqual([{ id: withSecret.id, percentage: 100 }]);
    expect(after.script?.etag).not.toBeNull();
    expect(after.script?.etag).not.toBe(before.script?.etag);
    expect(await servedAt(`${id}.${DOMAIN}`, "hi from v1")).toBe("hi from v1");
    expect(await (await visit(id, "/secret")).text()).toBe("secret set");
  });

  it("while two versions are deployed, secret changes and re-uploading PATCHes are refused with 409", async () => {
    const { id } = await withStagedVersion("ver-busy");
    const put = expectError(await api("PUT", `/v1/tenants/${id}/secrets/API_KEY`, { value: "x" }), 409, "conflict");
    expect(put.message).toContain("deployments");
    expectError(await api("PATCH", `/v1/tenants/${id}`, { vars: { GREETING: "yo" } }), 409, "conflict");
    // A change that needs no upload is taken.
    expect((await api("PATCH", `/v1/tenants/${id}`, { hostnames: [] })).status).toBe(202);
    const tenant = await settled(id, ["active"]);
    expect(tenant.secrets).toEqual([]);
    expect(tenant.vars).toEqual({ GREETING: "hi" });
  });

  it("after a rollback, a secret change is refused (the API changes the latest version's only) until code is uploaded", async () => {
    const id = await onboard("ver-latest");
    expect((await api("PUT", `/v1/tenants/${id}/script`, V2)).status).toBe(202);
    await settled(id, ["active"]);
    expect((await api("POST", `/v1/tenants/${id}/rollback`, {})).status).toBe(202);
    await settled(id, ["active"]);
    expectError(await api("PUT", `/v1/tenants/${id}/secrets/API_KEY`, { value: "x" }), 409, "conflict");
    expect((await api("PUT", `/v1/tenants/${id}/script`, NOTES_APP)).status).toBe(202);
    await settled(id, ["active"]);
    expect((await api("PUT", `/v1/tenants/${id}/secrets/API_KEY`, { value: "x" })).status).toBe(202);
    expect((await settled(id, ["active"])).secrets).toEqual(["API_KEY"]);
  });
});

describe("bad input", () => {
  it("refuses unknown versions, another tenant's, bad sums, three versions and bad ids, naming the field", async () => {
    const { id, one, two } = await withStagedVersion("ver-bad");
    const other = await onboard("ver-other");
    const [theirs] = (await versionsOf(other)) as [VersionView];
    const unknown = crypto.randomUUID();

    expectError(await deploy(id, [{ id: unknown, percentage: 100 }]), 400, "invalid_request", "versions.0.id");
    expectError(await deploy(id, [{ id: theirs.id, percentage: 100 }]), 400, "invalid_request", "versions.0.id");
    const sum = expectError(
      await deploy(id, [
        { id: one.id, percentage: 50 },
        { id: two.id, percentage: 40 },
      ]),
      400,
      "invalid_request",
      "versions",
    );
    expect(sum.message).toContain("90");
    expectError(
      await deploy(id, [
        { id: one.id, percentage: 50 },
        { id: two.id, percentage: 25 },
        { id: unknown, percentage: 25 },
      ]),
      400,
      "invalid_request",
      "versions",
    );
    expectError(await deploy(id, [{ id: "not-a-uuid", percentage: 100 }]), 400, "invalid_request", "versions.0.id");
    expectError(
      await deploy(id, [
        { id: one.id, percentage: 50 },
        { id: one.id, percentage: 50 },
      ]),
      400,
      "invalid_request",
      "versions.1.id",
    );
    expectError(await deploy(id, [{ id: one.id, percentage: 101 }]), 400, "invalid_request", "versions.0.percentage");
    expectError(await deploy(id, []), 400, "invalid_request", "versions");
    expectError(
      await api("POST", `/v1/tenants/${id}/rollback`, { versionId: unknown }),
      400,
      "invalid_request",
      "versionId",
    );
    expectError(
      await api("POST", `/v1/tenants/${id}/rollback`, { versionId: "v1" }),
      400,
      "invalid_request",
      "versionId",
    );
    expectError(await api("POST", `/v1/tenants/${id}/rollback`, { what: 1 }), 400, "invalid_request");
    expectError(await api("GET", `/v1/tenants/${id}/versions?cursor=abc`), 400, "invalid_request", "cursor");
    expectError(await api("GET", `/v1/tenants/${id}/versions?limit=0`), 400, "invalid_request", "limit");
    expectError(await api("PUT", `/v1/tenants/${id}/script?deploy=maybe`, V2), 400, "invalid_request", "deploy");

    const missing = uniqueId("ver-none");
    expectError(await api("GET", `/v1/tenants/${missing}/versions`), 404, "not_found");
    expectError(await deploy(missing, [{ id: one.id, percentage: 100 }]), 404, "not_found");
    expectError(await api("POST", `/v1/tenants/${missing}/rollback`, {}), 404, "not_found");

    // Nothing was deployed by any of them.
    expect(await activeDeployment(id)).toEqual([
      { id: one.id, percentage: 100 },
      { id: two.id, percentage: 0 },
    ]);
  });

  it("a rollback asked of the tenant's object directly (as a rollout does) is checked as the API checks one", async () => {
    const { id, one } = await withStagedVersion("ver-direct");
    const tenant = testEnv.TENANT_OPERATIONS.get(testEnv.TENANT_OPERATIONS.idFromName(id));
    const tooLong = await tenant.rollback(id, { versionId: one.id, message: "x".repeat(101), wait: false });
    expect(tooLong).toMatchObject({ ok: false, status: 400, code: "invalid_request" });
    const unknown = await tenant.rollback(id, { versionId: crypto.randomUUID(), wait: false });
    expect(unknown).toMatchObject({ ok: false, status: 400, code: "invalid_request" });
    expect((await api("GET", `/v1/tenants/${id}`)).json.operation?.kind).toBe("deploy");
  });

  it("needs the platform's token on every new route", async () => {
    const id = uniqueId("ver-auth");
    for (const [method, path, body] of [
      ["GET", `/v1/tenants/${id}/versions`, undefined],
      ["POST", `/v1/tenants/${id}/deployments`, JSON.stringify({ versions: [] })],
      ["POST", `/v1/tenants/${id}/rollback`, "{}"],
    ] as const) {
      expectError(await anonymous(method, path, body), 401, "unauthorized");
      expectError(await api(method, path, body, { authorization: "Bearer wrong" }), 401, "unauthorized");
    }
  });

  it("deploy=false refuses a script that migrates Durable Object classes, and a tenant whose traffic is split", async () => {
    const { id, one, two } = await withStagedVersion("ver-nomigrate");
    const withObject: ScriptSource = {
      ...V2,
      modules: {
        ...V2.modules,
        "index.js": `${V2.modules["index.js"]}\nexport class Room { constructor() {} fetch() { return new Response("room"); } }`,
      },
      durableObjects: { ROOM: "Room" },
    };
    const migrating = expectError(
      await api("PUT", `/v1/tenants/${id}/script?deploy=false`, withObject),
      409,
      "conflict",
    );
    expect(migrating.message).toContain("Room");

    expect(
      (
        await deploy(id, [
          { id: one.id, percentage: 70 },
          { id: two.id, percentage: 30 },
        ])
      ).status,
    ).toBe(202);
    await settled(id, ["active"]);
    const split = expectError(await api("PUT", `/v1/tenants/${id}/script?deploy=false`, NOTES_APP), 409, "conflict");
    expect(split.message).toContain("70%");
  });

  it("describes the new routes in the OpenAPI document", async () => {
    const answer = await api("GET", "/openapi.json");
    const paths = (answer.json as unknown as { paths: Record<string, Record<string, unknown>> }).paths;
    expect(Object.keys(paths["/v1/tenants/{id}/versions"] ?? {})).toEqual(["get"]);
    expect(Object.keys(paths["/v1/tenants/{id}/deployments"] ?? {})).toEqual(["post"]);
    expect(Object.keys(paths["/v1/tenants/{id}/rollback"] ?? {})).toEqual(["post"]);
    const put = paths["/v1/tenants/{id}/script"]?.put as { parameters?: { name: string; in: string }[] };
    expect(put.parameters?.some((parameter) => parameter.name === "deploy" && parameter.in === "query")).toBe(true);
  });
});

describe("faults and teardown", () => {
  const deploymentsCall = (id: string) => ({
    method: "POST",
    path: `/accounts/*/workers/dispatch/namespaces/*/scripts/${id}/deployments`,
  });

  it("a deployment call failing twice is retried; the deployment is made once and recorded once", async () => {
    const { id, one, two } = await withStagedVersion("ver-retry");
    const fault = await injectFault({
      ...deploymentsCall(id),
      times: 2,
      action: { kind: "fail", status: 500, code: 10002 },
    });
    const answer = await deploy(id, [{ id: two.id, percentage: 100 }]);
    expect(answer.status, answer.text).toBe(202);
    await settled(id, ["active"]);
    expect((await faultNow(fault.id)).hits).toBe(2);
    expect(await activeDeployment(id)).toEqual([{ id: two.id, percentage: 100 }]);
    expect((await versionsOf(id)).map((version) => version.percentage)).toEqual([100, 0]);
    expect(await routeOf(previewHostname(one.id, id, DOMAIN))).toBeNull();
  });

  it("a deployment whose answer is lost is sent again: the deployment is recorded once, as made", async () => {
    const { id, two } = await withStagedVersion("ver-lose");
    const fault = await injectFault({ ...deploymentsCall(id), times: 1, action: { kind: "lose" } });
    const answer = await deploy(id, [{ id: two.id, percentage: 100 }]);
    expect(answer.status, answer.text).toBe(202);
    const tenant = await settled(id, ["active"]);
    expect(tenant.operation).toMatchObject({ kind: "deployment", state: "succeeded" });
    expect((await faultNow(fault.id)).hits).toBe(1);
    expect(await activeDeployment(id)).toEqual([{ id: two.id, percentage: 100 }]);
    expect((await versionsOf(id)).map((version) => version.percentage)).toEqual([100, 0]);
  });

  it("a version upload failing once, or losing its answer, is retried: one version staged, recorded once", async () => {
    for (const action of [{ kind: "fail", status: 500, code: 10002 }, { kind: "lose" }] as const) {
      const id = await onboard("ver-upload-fault");
      const fault = await injectFault({
        method: "POST",
        path: `/accounts/*/workers/dispatch/namespaces/*/scripts/${id}/versions`,
        times: 1,
        action,
      });
      const staged = await api("PUT", `/v1/tenants/${id}/script?deploy=false`, V2);
      expect(staged.status, staged.text).toBe(202);
      const tenant = await settled(id, ["active"]);
      expect(tenant.operation, action.kind).toMatchObject({ kind: "deploy", state: "succeeded" });
      expect((await faultNow(fault.id)).hits).toBe(1);
      const [two, one] = (await versionsOf(id)) as [VersionView, VersionView];
      expect((await versionsOf(id)).length).toBe(2);
      expect(await activeDeployment(id)).toEqual([
        { id: one.id, percentage: 100 },
        { id: two.id, percentage: 0 },
      ]);
      expect(await servedAt(previewHostname(two.id, id, DOMAIN), "hi from v2")).toBe("hi from v2");
    }
  });

  it("a deployment the API refuses (a 4xx) is the request's 409 with the API's message, at once", async () => {
    const { id, one, two } = await withStagedVersion("ver-refused-deploy");
    const fault = await injectFault({
      ...deploymentsCall(id),
      times: 1,
      action: { kind: "fail", status: 400, code: 10041, message: "binding KV names a namespace that is gone" },
    });
    const refused = expectError(await deploy(id, [{ id: two.id, percentage: 100 }]), 409, "conflict");
    expect(refused.message).toContain("binding KV names a namespace that is gone");
    expect((await faultNow(fault.id)).hits).toBe(1);
    expect(await activeDeployment(id)).toEqual([
      { id: one.id, percentage: 100 },
      { id: two.id, percentage: 0 },
    ]);
    expect((await versionsOf(id)).map((version) => version.percentage)).toEqual([0, 100]);
  });

  it("a deployment failing for good changes nothing: the registry, the routes and the API's deployment stay", async () => {
    const { id, one, two } = await withStagedVersion("ver-fail");
    await injectFault({ ...deploymentsCall(id), times: 100, action: { kind: "fail", status: 500, code: 10002 } });
    const answer = await deploy(id, [
      { id: one.id, percentage: 50 },
      { id: two.id, percentage: 50 },
    ]);
    expect(answer.status, answer.text).toBe(202);
    const tenant = await settled(id, ["active"]);
    expect(tenant.operation).toMatchObject({ kind: "deployment", state: "failed", step: "deploy_versions" });
    expect((await versionsOf(id)).map((version) => version.percentage)).toEqual([0, 100]);
    expect((await routeOf(`${id}.${DOMAIN}`))?.split).toBeUndefined();
    await clearFaults();
    expect(await activeDeployment(id)).toEqual([
      { id: one.id, percentage: 100 },
      { id: two.id, percentage: 0 },
    ]);
  });

  it("deleting a tenant removes its preview routes and forgets its versions", async () => {
    const { id, one, two } = await withStagedVersion("ver-delete");
    expect((await api("DELETE", `/v1/tenants/${id}`)).status).toBe(202);
    await settled(id, ["deleted"]);
    expect(await routeOf(previewHostname(one.id, id, DOMAIN))).toBeNull();
    expect(await routeOf(previewHostname(two.id, id, DOMAIN))).toBeNull();
    expectError(await api("GET", `/v1/tenants/${id}/versions`), 404, "not_found");
    // The id used again starts with no versions.
    const again = await api("POST", "/v1/tenants", newTenant(id));
    expect(again.status, again.text).toBe(202);
    await settled(id, ["active"]);
    expect((await versionsOf(id)).map((version) => version.number)).toEqual([1]);
  });
});
