import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { COMPATIBILITY_DATE } from "../../platform/compatibility-date.ts";
import { VersionList } from "../../platform/tenants-api.ts";
import { type FakeControlPlane, startFakeControlPlane } from "./support/fake-control-plane.ts";
import { explain, runCli } from "./support/run-cli.ts";

// wfp versions, deploy --no-deploy, rollback and deployments, against the fake control plane.
let fake: FakeControlPlane;

beforeAll(async () => {
  fake = await startFakeControlPlane();
});
beforeEach(() => fake.reset());
afterAll(async () => {
  await fake?.close();
});

const wfp = (args: readonly string[]) =>
  runCli([...args, "--interval", "10"], { env: { WFP_API_URL: fake.url, WFP_API_TOKEN: fake.token } });

const SCRIPT = { mainModule: "index.js", modules: { "index.js": "export default {}" } };

/** A tenant with `count` versions uploaded through the API (not the CLI), the last deployed. */
async function tenantWithVersions(id: string, count: number) {
  const call = (method: string, pathname: string, body: unknown) =>
    fetch(`${fake.url}${pathname}`, {
      method,
      headers: { authorization: `Bearer ${fake.token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  expect((await call("POST", "/v1/tenants", { id, plan: "free" })).status).toBe(202);
  for (let i = 0; i < count; i++) expect((await call("PUT", `/v1/tenants/${id}/script`, SCRIPT)).status).toBe(202);
  fake.requests.length = 0;
}

const versionId = (number: number) =>
  `${String(number).padStart(8, "0")}-0000-4000-8000-${String(number).padStart(12, "0")}`;

async function listed(tenant: string) {
  const run = await wfp(["versions", tenant, "--json"]);
  expect(run.code, explain(run)).toBe(0);
  return VersionList.parse(JSON.parse(run.stdout)).versions;
}

describe("wfp versions", () => {
  it("prints a table: short id, number, created, percent, preview URL, message", async () => {
    await tenantWithVersions("acme", 2);
    const run = await wfp(["versions", "acme"]);
    expect(run.code, explain(run)).toBe(0);
    const [heading, newest, oldest] = run.stdout.trim().split("\n");
    expect(heading).toMatch(/^ID\s+NUMBER\s+CREATED\s+PERCENT\s+PREVIEW\s+MESSAGE$/);
    expect(newest).toMatch(/^00000002\s+2\s+\S+\s+100%\s+https:\/\/00000002--acme\.platform\.test\/\s+new code$/);
    expect(oldest).toMatch(/^00000001\s+1\s+\S+\s+0%\s+-\s+new code$/);
  });

  it("pages with --limit and --cursor, noting the next cursor", async () => {
    await tenantWithVersions("acme", 3);
    const first = await wfp(["versions", "acme", "--limit", "2"]);
    expect(first.code, explain(first)).toBe(0);
    expect(first.stderr).toContain("older versions: --cursor 2");
    const second = await wfp(["versions", "acme", "--limit", "2", "--cursor", "2", "--json"]);
    expect(VersionList.parse(JSON.parse(second.stdout)).versions.map((v) => v.number)).toEqual([1]);
  });

  it("an unknown tenant is exit 1 with the API's 404", async () => {
    const run = await wfp(["versions", "nobody"]);
    expect(run.code, explain(run)).toBe(1);
    expect(run.stderr).toContain("not_found");
  });
});

describe("wfp rollback", () => {
  it("rolls back to the version before when none is named", async () => {
    await tenantWithVersions("acme", 2);
    const run = await wfp(["rollback", "acme", "--wait"]);
    expect(run.code, explain(run)).toBe(0);
    expect(fake.requests.find((r) => r.method === "POST")).toMatchObject({
      path: "/v1/tenants/acme/rollback",
      body: { force: false },
    });
    expect((await listed("acme")).map((v) => v.percentage)).toEqual([0, 100]);
  });

  it("takes a short id, resolved against the tenant's versions, and --force and --message", async () => {
    await tenantWithVersions("acme", 3);
    const run = await wfp(["rollback", "acme", "00000001", "--force", "--message", "three was bad"]);
    expect(run.code, explain(run)).toBe(0);
    expect(fake.requests.find((r) => r.method === "POST")?.body).toEqual({
      versionId: versionId(1),
      message: "three was bad",
      force: true,
    });
  });

  it("refuses an unknown, an ambiguous or a malformed version before asking to deploy anything", async () => {
    await tenantWithVersions("acme", 1);
    await tenantWithVersions("abba", 2);
    const unknown = await wfp(["rollback", "acme", "0000abcd"]);
    expect(unknown.code, explain(unknown)).toBe(2);
    expect(unknown.stderr).toContain("tenant acme has no version 0000abcd");
    const ambiguous = await wfp(["rollback", "abba", "abcdef01"]);
    expect(ambiguous.code, explain(ambiguous)).toBe(2);
    expect(ambiguous.stderr).toContain("abcdef01 names 2 versions of abba");
    const malformed = await wfp(["rollback", "acme", "v1"]);
    expect(malformed.code, explain(malformed)).toBe(2);
    expect(malformed.stderr).toContain("give its id or its first 8 hex digits");
    expect(fake.requests.filter((r) => r.method === "POST")).toEqual([]);
  });

  it("a rollback the API refuses is exit 1 with its message", async () => {
    await tenantWithVersions("acme", 1);
    const run = await wfp(["rollback", "acme"]);
    expect(run.code, explain(run)).toBe(1);
    expect(run.stderr).toContain("no version to roll back to");
  });
});

describe("wfp deployments", () => {
  it("splits the traffic between two versions named by short id", async () => {
    await tenantWithVersions("acme", 2);
    const run = await wfp(["deployments", "acme", "00000001=90", "00000002=10%", "--wait"]);
    expect(run.code, explain(run)).toBe(0);
    expect(fake.requests.find((r) => r.method === "POST")?.body).toEqual({
      versions: [
        { id: versionId(1), percentage: 90 },
        { id: versionId(2), percentage: 10 },
      ],
      force: false,
    });
    expect((await listed("acme")).map((v) => v.percentage)).toEqual([10, 90]);
  });

  it("refuses a share that is not <version>=<percent>, and three versions, as usage errors", async () => {
    await tenantWithVersions("acme", 3);
    const bad = await wfp(["deployments", "acme", "00000001:100"]);
    expect(bad.code, explain(bad)).toBe(2);
    expect(bad.stderr).toContain('expected <version>=<percent>, got "00000001:100"');
    const three = await wfp(["deployments", "acme", "00000001=50", "00000002=25", "00000003=25"]);
    expect(three.code, explain(three)).toBe(2);
    expect(fake.requests.filter((r) => r.method === "POST")).toEqual([]);
  });

  it("percentages that do not sum to 100 are the API's 400, naming the field", async () => {
    await tenantWithVersions("acme", 2);
    const run = await wfp(["deployments", "acme", "00000001=50", "00000002=40"]);
    expect(run.code, explain(run)).toBe(1);
    expect(run.stderr).toContain("invalid_request");
    expect(run.stderr).toContain("the percentages sum to 90, not 100");
  });
});

describe("wfp deploy --no-deploy", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "wfp-cli-versions-"));
    await mkdir(path.join(dir, "src"));
    await writeFile(
      path.join(dir, "wrangler.toml"),
      ['name = "worker"', 'main = "src/index.ts"', `compatibility_date = "${COMPATIBILITY_DATE}"`].join("\n"),
    );
    await writeFile(path.join(dir, "src", "index.ts"), "export default { fetch: () => new Response('v2') };\n");
  });
  afterAll(async () => {
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it("uploads a version without deploying it, with its message, noted as the CLI's", async () => {
    await tenantWithVersions("acme", 1);
    const run = await wfp(["deploy", dir, "--tenant", "acme", "--no-deploy", "--message", "try it first", "--wait"]);
    expect(run.code, explain(run)).toBe(0);
    const put = fake.requests.find((r) => r.method === "PUT");
    expect(put?.path).toBe("/v1/tenants/acme/script?deploy=false");
    expect(put?.body).toMatchObject({ message: "try it first", mainModule: "index.js" });
    const [staged, live] = await listed("acme");
    expect(staged).toMatchObject({ percentage: 0, message: "try it first", createdBy: "cli" });
    expect(staged?.previewUrl).not.toBeNull();
    expect(live?.percentage).toBe(100);
  });
});
