import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMPATIBILITY_DATE } from "../../platform/compatibility-date.ts";
import { ScriptSource, TenantView } from "../../platform/tenants-api.ts";
import { REPO_ROOT } from "../../scripts/lib/wrangler-dev.ts";
import { type FakeControlPlane, startFakeControlPlane } from "./support/fake-control-plane.ts";
import { explain, runCli } from "./support/run-cli.ts";

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

async function deployedScript(dir: string, tenant: string): Promise<ScriptSource> {
  const created = await wfp(["tenants", "create", tenant, "--plan", "free", "--wait"]);
  expect(created.code, explain(created)).toBe(0);
  const run = await wfp(["deploy", dir, "--tenant", tenant, "--wait", "--json"]);
  expect(run.code, explain(run)).toBe(0);
  expect(TenantView.parse(JSON.parse(run.stdout)).script?.name).toBe(tenant);
  const put = fake.requests.find((r) => r.method === "PUT" && r.path === `/v1/tenants/${tenant}/script`);
  return ScriptSource.parse(put?.body);
}

/** A Worker folder: wrangler.toml (name, main, compatibility date, then `config`) and src/index.ts. */
async function workerDir(prefix: string, config: string[], source: string[]) {
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  await mkdir(path.join(dir, "src"));
  await writeFile(
    path.join(dir, "wrangler.toml"),
    ['name = "worker"', 'main = "src/index.ts"', `compatibility_date = "${COMPATIBILITY_DATE}"`, ...config].join("\n"),
  );
  await writeFile(path.join(dir, "src", "index.ts"), `${source.join("\n")}\n`);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
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

  it("sends [[durable_objects.bindings]] as durableObjects, and the classes [[migrations]] delete that the tenant has", async () => {
    const rooms = (config: string[]) =>
      workerDir("wfp-cli-rooms-", config, [
        'import { DurableObject } from "cloudflare:workers";',
        "export class Room extends DurableObject {}",
        "export class Lobby extends DurableObject {}",
        "export class Hall extends DurableObject {}",
        'export default { fetch: (): Response => new Response("rooms") };',
      ]);
    const binding = (name: string, className: string) => [
      "[[durable_objects.bindings]]",
      `name = "${name}"`,
      `class_name = "${className}"`,
    ];
    const first = await rooms([
      ...binding("ROOM", "Room"),
      ...binding("HALL", "Hall"),
      "[[migrations]]",
      'tag = "v1"',
      'new_sqlite_classes = ["Room", "Hall"]',
    ]);
    // Hall deleted, Old deleted long ago (the tenant never had it), Lobby deleted and then created again, Room unbound and kept.
    const second = await rooms([
      ...binding("LOBBY", "Lobby"),
      ...binding("ALSO_LOBBY", "Lobby"),
      "[[migrations]]",
      'tag = "v1"',
      'new_sqlite_classes = ["Room", "Hall", "Old", "Lobby"]',
      "[[migrations]]",
      'tag = "v2"',
      'deleted_classes = ["Old", "Lobby"]',
      "[[migrations]]",
      'tag = "v3"',
      'new_sqlite_classes = ["Lobby"]',
      'deleted_classes = ["Hall"]',
    ]);
    try {
      const created = await wfp(["tenants", "create", "rooms", "--plan", "free", "--deploy", second.dir, "--wait"]);
      expect(created.code, explain(created)).toBe(0);
      const create = fake.requests.find((r) => r.method === "POST" && (r.body as { id?: string }).id === "rooms");
      const onCreate = ScriptSource.parse((create?.body as { script?: unknown } | undefined)?.script);
      expect(onCreate.durableObjects).toEqual({ LOBBY: "Lobby", ALSO_LOBBY: "Lobby" });
      expect(onCreate.deletedDurableObjectClasses, "a new tenant has nothing to delete").toBeUndefined();

      const putsBefore = fake.requests.length;
      const one = await wfp(["deploy", first.dir, "--tenant", "rooms", "--wait"]);
      expect(one.code, explain(one)).toBe(0);
      const two = await wfp(["deploy", second.dir, "--tenant", "rooms", "--wait", "--json"]);
      expect(two.code, explain(two)).toBe(0);
      const puts = fake.requests
        .slice(putsBefore)
        .filter((r) => r.method === "PUT" && r.path === "/v1/tenants/rooms/script")
        .map((r) => ScriptSource.parse(r.body));
      expect(puts[0]?.durableObjects).toEqual({ ROOM: "Room", HALL: "Hall" });
      expect(puts[0]?.deletedDurableObjectClasses).toBeUndefined();
      expect(puts[1]?.durableObjects).toEqual({ LOBBY: "Lobby", ALSO_LOBBY: "Lobby" });
      // Old is no class of the tenant's: not sent (the control plane would refuse it), and said so.
      expect(puts[1]?.deletedDurableObjectClasses).toEqual(["Hall"]);
      expect(two.stderr).toBe("");
      expect(TenantView.parse(JSON.parse(two.stdout)).script?.durableObjects.classes).toEqual(["Lobby", "Room"]);
      const noted = await wfp(["deploy", second.dir, "--tenant", "rooms"]);
      expect(noted.stderr).toContain("not deleting Hall, Old: tenant rooms has no such class");
    } finally {
      await first.remove();
      await second.remove();
    }
  });

  it("reads the declarative exports form: a class declared deleted is deleted, a renamed one refused", async () => {
    const { durableObjectsOf } = await import("../bundle.ts");
    type Config = Parameters<typeof durableObjectsOf>[0];
    const config = (exports: Record<string, unknown>) =>
      ({
        durable_objects: { bindings: [{ name: "ROOM", class_name: "Room" }] },
        migrations: [],
        exports: { Room: { type: "durable-object", storage: "sqlite" }, ...exports },
      }) as unknown as Config;
    expect(
      durableObjectsOf(
        config({ Old: { type: "durable-object", state: "deleted" }, Api: { type: "worker" } }),
        "wrangler.jsonc",
      ),
    ).toEqual({ durableObjects: { ROOM: "Room" }, deletedDurableObjectClasses: ["Old"] });
    expect(() =>
      durableObjectsOf(
        config({ Moved: { type: "durable-object", state: "renamed", renamed_to: "Room" } }),
        "wrangler.jsonc",
      ),
    ).toThrow(/exports.Moved is renamed: the platform does not support renaming or transferring/);
  });

  it("refuses a binding to another script's class, and renamed or transferred classes, before any request", async () => {
    const refusals: [string[], RegExp][] = [
      [
        ["[[durable_objects.bindings]]", 'name = "ROOM"', 'class_name = "Room"', 'script_name = "elsewhere"'],
        /the Durable Object binding ROOM names script_name "elsewhere": a tenant's Worker can only bind its own classes/,
      ],
      [
        ["[[migrations]]", 'tag = "v1"', 'renamed_classes = [{ from = "Room", to = "Hall" }]'],
        /migration v1 has renamed_classes: the platform does not support renaming or transferring Durable Object classes/,
      ],
      [
        ["[[migrations]]", 'tag = "v1"', 'transferred_classes = [{ from = "Room", from_script = "x", to = "Room" }]'],
        /migration v1 has transferred_classes/,
      ],
    ];
    for (const [config, message] of refusals) {
      const worker = await workerDir("wfp-cli-refused-", config, [
        'export default { fetch: () => new Response("x") };',
      ]);
      try {
        const before = fake.requests.length;
        const run = await wfp(["deploy", worker.dir, "--tenant", "template"]);
        expect(run.code, explain(run)).toBe(5);
        expect(run.stderr).toMatch(/wfp: build_failed: /);
        expect(run.stderr).toMatch(message);
        expect(fake.requests.length).toBe(before);
      } finally {
        await worker.remove();
      }
    }
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
