import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMPATIBILITY_DATE } from "../../platform/compatibility-date.ts";
import { ScriptSource, TenantView } from "../../platform/tenants-api.ts";
import { REPO_ROOT } from "../../scripts/lib/wrangler-dev.ts";
import { type FakeControlPlane, startFakeControlPlane } from "./support/fake-control-plane.ts";
import { type CliRun, runCli } from "./support/run-cli.ts";

// `wfp deploy <dir>`: real bundling by wrangler, then the contract's PUT.
let fake: FakeControlPlane;
let fixtureDir: string;
const TEMPLATE_DIR = path.join(REPO_ROOT, "user-worker-template");

beforeAll(async () => {
  fake = await startFakeControlPlane();
  fixtureDir = await mkdtemp(path.join(tmpdir(), "wfp-cli-worker-"));
  await mkdir(path.join(fixtureDir, "src"));
  await mkdir(path.join(fixtureDir, "migrations"));
  await writeFile(
    path.join(fixtureDir, "wrangler.toml"),
    [
      'name = "fixture"',
      'main = "src/worker.ts"',
      'compatibility_date = "2026-10-01"',
      'compatibility_flags = ["nodejs_compat"]',
    ].join("\n"),
  );
  await writeFile(path.join(fixtureDir, "src", "page.html"), "<h1>hello</h1>");
  await writeFile(
    path.join(fixtureDir, "src", "worker.ts"),
    'import page from "./page.html";\nexport default { fetch: (): Response => new Response(page) };\n',
  );
  await writeFile(path.join(fixtureDir, "migrations", "0002_add_tags.sql"), "ALTER TABLE notes ADD COLUMN tags TEXT;");
  await writeFile(
    path.join(fixtureDir, "migrations", "0001_create_notes.sql"),
    "CREATE TABLE notes (id INTEGER PRIMARY KEY);",
  );
});

afterAll(async () => {
  await fake?.close();
  if (fixtureDir !== undefined) await rm(fixtureDir, { recursive: true, force: true });
});

const wfp = (args: readonly string[]) =>
  runCli([...args, "--interval", "10"], { env: { WFP_API_URL: fake.url, WFP_API_TOKEN: fake.token } });
const explain = (run: CliRun) => `exit ${run.code}\nstdout:\n${run.stdout}\nstderr:\n${run.stderr}`;

async function deployedScript(dir: string, tenant: string): Promise<ScriptSource> {
  const created = await wfp(["tenants", "create", tenant, "--plan", "free", "--wait"]);
  expect(created.code, explain(created)).toBe(0);
  const run = await wfp(["deploy", dir, "--tenant", tenant, "--wait", "--json"]);
  expect(run.code, explain(run)).toBe(0);
  expect(TenantView.parse(JSON.parse(run.stdout)).script?.name).toBe(tenant);
  const put = fake.requests.find((r) => r.method === "PUT" && r.path === `/v1/tenants/${tenant}/script`);
  return ScriptSource.parse(put?.body);
}

describe("wfp deploy", () => {
  it("bundles user-worker-template (TypeScript, npm imports) and PUTs its modules and migrations", async () => {
    const script = await deployedScript(TEMPLATE_DIR, "template");
    expect(script.mainModule).toBe("index.js");
    expect(Object.keys(script.modules)).toEqual(["index.js"]);
    // Bundled: hono is inside, no bare import is left for the runtime to resolve.
    expect(script.modules["index.js"]).toContain("GREETING");
    expect(script.modules["index.js"]).not.toMatch(/from "hono"/);
    expect(script.compatibilityDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const migrationsDir = path.join(TEMPLATE_DIR, "migrations");
    const onDisk = (await readdir(migrationsDir)).filter((name) => name.endsWith(".sql"));
    const expected = Object.fromEntries(
      await Promise.all(onDisk.map(async (n) => [n, await readFile(path.join(migrationsDir, n), "utf8")] as const)),
    );
    expect(Object.keys(expected).length, "the template ships D1 migrations").toBeGreaterThan(0);
    expect(script.migrations).toEqual(expected);
  });

  it("keeps Text modules apart, names the main module after main, and reads compatibility and migrations", async () => {
    const script = await deployedScript(fixtureDir, "fixture");
    expect(script.mainModule).toBe("worker.js");
    expect(script.compatibilityDate).toBe("2026-10-01");
    expect(script.compatibilityFlags).toEqual(["nodejs_compat"]);
    const html = Object.entries(script.modules).find(([name]) => name.endsWith(".html"));
    expect(html?.[1]).toBe("<h1>hello</h1>");
    expect(script.modules["worker.js"]).toContain(`from "./${html?.[0]}"`);
    expect(script.migrations).toEqual({
      "0001_create_notes.sql": "CREATE TABLE notes (id INTEGER PRIMARY KEY);",
      "0002_add_tags.sql": "ALTER TABLE notes ADD COLUMN tags TEXT;",
    });
    expect(Object.keys(script.migrations ?? {})).toEqual(["0001_create_notes.sql", "0002_add_tags.sql"]);
  });

  it("exits 5 with wrangler's own message when the code does not bundle, before any request", async () => {
    const broken = await mkdtemp(path.join(tmpdir(), "wfp-cli-broken-"));
    try {
      await writeFile(
        path.join(broken, "wrangler.toml"),
        `name = "broken"\nmain = "index.ts"\ncompatibility_date = "${COMPATIBILITY_DATE}"\n`,
      );
      await writeFile(path.join(broken, "index.ts"), 'import missing from "./nowhere";\nexport default missing;\n');
      const before = fake.requests.length;
      const run = await wfp(["deploy", broken, "--tenant", "template"]);
      expect(run.code, explain(run)).toBe(5);
      expect(run.stderr).toContain("wfp: build_failed: wrangler could not bundle");
      expect(run.stderr).toContain("nowhere");
      expect(fake.requests.length).toBe(before);
    } finally {
      await rm(broken, { recursive: true, force: true });
    }
  });
});
