import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { experimental_readRawConfig } from "wrangler";
import { z } from "zod";
import { ErrorCode } from "../cloudflare-api/error-codes.ts";
import { REPO_ROOT } from "../scripts/lib/wrangler-dev.ts";
import { type DispatchProbe, startDispatchProbe } from "./support/dispatch-probe.ts";
import { apiBaseUrl, apiToken, collect, ISO_DATE, newAccountId, sdk } from "./support/emulator.ts";
import { emulatorWranglerEnv, explainRun, runWrangler, type WranglerRun } from "./support/wrangler.ts";

// `wrangler deploy --dispatch-namespace`, the way a platform ships a tenant's
// Worker, against the emulator instead of api.cloudflare.com.
const client = sdk();
const account_id = newAccountId();

const TEMPLATE_DIR = path.join(REPO_ROOT, "user-worker-template");
const TEMPLATE_CONFIG = path.join(TEMPLATE_DIR, "wrangler.toml");
const NAMESPACE = "e2e-deploy-tenants";
const TENANT = "acme";
const SCRIPT = "tenant-acme";
const BUCKET = "e2e-deploy-assets";
const DATABASE = "e2e-deploy-db";
const DATASET = "tenant_acme";
/** The template's secret, shipped with the deploy (`--secrets-file`). */
const API_TOKEN = "e2e-acme-admin-token";
const TAGS = ["tenant:acme", "plan:free"];
const DEPLOY_TIMEOUT_MS = 90_000;

/** What this test relies on in the template's config. */
const TemplateConfig = z
  .object({ main: z.string(), compatibility_date: z.string(), vars: z.record(z.string(), z.string()) })
  .loose();

let workDir: string;
let kvId: string;
let databaseId: string;

/** The template's D1 migrations, in name order, as the control plane (or `wrangler d1 migrations apply`) runs them. */
async function applyTemplateMigrations(): Promise<string[]> {
  const dir = path.join(TEMPLATE_DIR, "migrations");
  const names = (await readdir(dir)).filter((name) => name.endsWith(".sql")).sort();
  for (const name of names) {
    await client.d1.database.query(databaseId, { account_id, sql: await readFile(path.join(dir, name), "utf8") });
  }
  return names;
}

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), "wfp-deploy-"));
  await client.workersForPlatforms.dispatch.namespaces.create({ account_id, name: NAMESPACE });
  kvId = (await client.kv.namespaces.create({ account_id, title: "e2e-deploy-kv" })).id;
  await client.r2.buckets.create({ account_id, name: BUCKET });
  databaseId = z.string().parse((await client.d1.database.create({ account_id, name: DATABASE })).uuid);
  expect(await applyTemplateMigrations()).toContain("0001_create_notes.sql");
  await writeFile(path.join(workDir, "secrets.json"), JSON.stringify({ API_TOKEN }));
});

afterAll(async () => {
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

/**
 * A copy of the template's wrangler config, as JSON in a temporary folder,
 * wired to the resources this test created, with the script's tags passed
 * through wrangler's `unsafe.metadata` (wrangler has no config field for them).
 */
async function writeDeployConfig(greeting: string): Promise<string> {
  const template = TemplateConfig.parse(experimental_readRawConfig({ config: TEMPLATE_CONFIG }).rawConfig);
  const config = {
    ...template,
    name: SCRIPT,
    main: path.resolve(path.dirname(TEMPLATE_CONFIG), template.main),
    vars: { ...template.vars, GREETING: greeting },
    kv_namespaces: [{ binding: "KV", id: kvId }],
    r2_buckets: [{ binding: "BUCKET", bucket_name: BUCKET }],
    d1_databases: [{ binding: "DB", database_name: DATABASE, database_id: databaseId }],
    analytics_engine_datasets: [{ binding: "ANALYTICS", dataset: DATASET }],
    unsafe: { metadata: { tags: TAGS } },
  };
  const configPath = path.join(workDir, "wrangler.json");
  await writeFile(configPath, JSON.stringify(config, null, 2));
  return configPath;
}

async function deploy(greeting: string): Promise<WranglerRun> {
  const configPath = await writeDeployConfig(greeting);
  const secretsFile = path.join(workDir, "secrets.json");
  const args = ["deploy", "--config", configPath, "--dispatch-namespace", NAMESPACE, "--secrets-file", secretsFile];
  return runWrangler(args, {
    cwd: workDir,
    timeoutMs: DEPLOY_TIMEOUT_MS,
    env: emulatorWranglerEnv(account_id, workDir),
  });
}

const scripts = client.workersForPlatforms.dispatch.namespaces.scripts;
const where = { account_id, dispatch_namespace: NAMESPACE };

async function bindingsOf(scriptName: string) {
  return collect(scripts.bindings.get(scriptName, where));
}

describe("wrangler deploy --dispatch-namespace", () => {
  it("uploads the template, whose script, modules, bindings and tags the API then shows", async () => {
    const run = await deploy("Hello from acme");
    expect(run.code, explainRun(run)).toBe(0);

    const script = await scripts.get(SCRIPT, where);
    expect(script.dispatch_namespace).toBe(NAMESPACE);
    expect(script.created_on).toMatch(ISO_DATE);
    expect(script.modified_on).toMatch(ISO_DATE);
    expect(script.script?.id).toBe(SCRIPT);
    expect(typeof script.script?.etag).toBe("string");

    const content = await scripts.content.get(SCRIPT, where);
    expect(content.status).toBe(200);
    const modules = await content.formData();
    // wrangler bundles src/index.ts into one ES module named after it.
    const main = modules.get("index.js");
    expect(main, `modules returned: ${[...modules.keys()].join(", ")}`).toBeInstanceOf(File);
    expect(await (main as File).text()).toContain("GREETING");

    const bindings = await bindingsOf(SCRIPT);
    expect(bindings).toHaveLength(8);
    expect(bindings).toEqual(
      expect.arrayContaining([
        { name: "GREETING", type: "plain_text", text: "Hello from acme" },
        { name: "PUBLIC_WRITES", type: "plain_text", text: "false" },
        { name: "KV", type: "kv_namespace", namespace_id: kvId },
        expect.objectContaining({ name: "BUCKET", type: "r2_bucket", bucket_name: BUCKET }),
        expect.objectContaining({ name: "DB", type: "d1", database_id: databaseId }),
        expect.objectContaining({ name: "ANALYTICS", type: "analytics_engine", dataset: DATASET }),
        { name: "API_TOKEN", type: "secret_text" },
        // The template's Durable Object class, created by its [[migrations]] (issue 12).
        expect.objectContaining({ name: "ROOM", type: "durable_object_namespace", class_name: "Room" }),
      ]),
    );
    // wrangler sent the template's migration, whose tag the script now has.
    expect(script.script?.migration_tag).toBe("v1");

    const tags = await collect(scripts.tags.list(SCRIPT, where));
    expect([...tags].sort()).toEqual([...TAGS].sort());

    const namespace = await client.workersForPlatforms.dispatch.namespaces.get(NAMESPACE, { account_id });
    expect(namespace.script_count).toBe(1);
  });

  describe("the deployed script, dispatched to through the emulator's namespace", () => {
    let probe: DispatchProbe;
    const tenant = (route: string, init?: RequestInit) => fetch(`${probe.url}${route}`, init);
    // The template takes writes only with its API_TOKEN (user-worker-template/README.md).
    const writer = { authorization: `Bearer ${API_TOKEN}` };
    const json = (method: string, body: unknown): RequestInit => ({
      method,
      headers: { "content-type": "application/json", ...writer },
      body: JSON.stringify(body),
    });

    beforeAll(async () => {
      probe = await startDispatchProbe(workDir, {
        accountId: account_id,
        namespace: NAMESPACE,
        script: SCRIPT,
        tenant: TENANT,
      });
    });
    afterAll(async () => {
      await probe?.stop();
    });

    it("greets with its var and the tenant's name", async () => {
      const res = await tenant("/");
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ greeting: "Hello from acme", tenant: TENANT });
    });

    // The emulator has no KV values API (the platform never reads tenants' keys), so the tenant reads them back.
    it("writes to its KV namespace and reads the value back in a later request", async () => {
      const res = await tenant("/kv/theme", json("PUT", { value: "dark" }));
      expect(res.status).toBe(200);
      expect(await (await tenant("/kv/theme")).json()).toEqual({ key: "theme", value: "dark" });
      expect((await tenant("/kv/theme", { method: "DELETE", headers: writer })).status).toBe(204);
      expect((await tenant("/kv/theme")).status).toBe(404);
    });

    it("stores a file in its R2 bucket and serves it back", async () => {
      const put = await tenant("/files/hello.txt", {
        method: "PUT",
        body: "hello, acme",
        headers: { "content-type": "text/plain", ...writer },
      });
      expect(put.status).toBe(201);
      const get = await tenant("/files/hello.txt");
      expect(get.headers.get("content-type")).toBe("text/plain");
      expect(await get.text()).toBe("hello, acme");
      expect((await tenant("/files/missing.txt")).status).toBe(404);
    });

    it("adds a note to its D1 database, which the D1 API then shows", async () => {
      const res = await tenant("/notes", json("POST", { title: "first note" }));
      expect(res.status).toBe(201);
      const note = z.object({ id: z.number(), title: z.string() }).parse(await res.json());
      const [query] = await collect(
        client.d1.database.query(databaseId, {
          account_id,
          sql: "SELECT title FROM notes WHERE id = ?",
          params: [String(note.id)],
        }),
      );
      expect(query?.results).toEqual([{ title: "first note" }]);
      expect((await tenant("/notes", json("POST", { title: "" }))).status).toBe(400);
    });

    it("guards /admin with the secret shipped in the deploy", async () => {
      expect((await tenant("/admin/summary")).status).toBe(401);
      const res = await tenant("/admin/summary", { headers: { authorization: `Bearer ${API_TOKEN}` } });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ tenant: TENANT, notes: 1 });
    });

    it("posts to a room, its Durable Object, whose history a later request reads", async () => {
      const posted = await tenant("/rooms/lobby/messages", json("POST", { name: "ada", text: "hello, room" }));
      expect(posted.status, await posted.clone().text()).toBe(201);
      const history = z
        .object({ messages: z.array(z.object({ sender: z.string(), text: z.string() })) })
        .parse(await (await tenant("/rooms/lobby/messages")).json());
      expect(history.messages.map((m) => [m.sender, m.text])).toEqual([["ada", "hello, room"]]);
    });

    it("writes one Analytics Engine data point per request to its dataset", async () => {
      const res = await fetch(`${inject("emulatorUrl")}/__emulator/analytics/${account_id}/${DATASET}?limit=100`, {
        headers: { authorization: `Bearer ${apiToken()}` },
      });
      const points = z
        .object({
          result: z.array(
            z.object({ script: z.string(), blobs: z.array(z.string().nullable()), doubles: z.array(z.number()) }),
          ),
        })
        .parse(await res.json()).result;
      expect(points.map((p) => [p.script, p.blobs[0], p.blobs[1], p.doubles[0]])).toEqual(
        expect.arrayContaining([
          [SCRIPT, "/", "GET", 200],
          [SCRIPT, "/kv/theme", "PUT", 200],
          [SCRIPT, "/kv/theme", "GET", 404],
          [SCRIPT, "/files/missing.txt", "GET", 404],
          [SCRIPT, "/notes", "POST", 400],
          [SCRIPT, "/admin/summary", "GET", 401],
        ]),
      );
    });
  });

  it("deploys again over the existing script, replacing its var and keeping one script", async () => {
    const run = await deploy("Hello again from acme");
    expect(run.code, explainRun(run)).toBe(0);
    // wrangler read the script's migration tag first and sent no migration again (the API would refuse it).
    expect((await scripts.get(SCRIPT, where)).script?.migration_tag).toBe("v1");

    expect(await bindingsOf(SCRIPT)).toContainEqual({
      name: "GREETING",
      type: "plain_text",
      text: "Hello again from acme",
    });
    const namespace = await client.workersForPlatforms.dispatch.namespaces.get(NAMESPACE, { account_id });
    expect(namespace.script_count).toBe(1);
  });
});

describe("the account-level calls wrangler makes before an upload", () => {
  // wrangler reads the account-level Worker of the same name (not the one in
  // the namespace) and takes 10007 as "nothing there"; any other answer fails the deploy.
  const accountWorker = (suffix: string) =>
    `${apiBaseUrl()}/accounts/${account_id}/workers/scripts/${SCRIPT}/${suffix}`;
  const auth = { authorization: `Bearer ${apiToken()}` };

  for (const suffix of ["secrets", "settings"]) {
    it(`GET …/workers/scripts/:name/${suffix} answers that the Worker does not exist`, async () => {
      const res = await fetch(accountWorker(suffix), { headers: auth });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({
        success: false,
        errors: [{ code: ErrorCode.scriptNotFound, message: "This Worker does not exist on your account." }],
        messages: [],
        result: null,
      });
    });

    it(`other methods on …/workers/scripts/:name/${suffix} answer 405`, async () => {
      const res = await fetch(accountWorker(suffix), { method: "POST", headers: auth });
      expect(res.status).toBe(405);
      expect(await res.json()).toMatchObject({ success: false, errors: [{ code: ErrorCode.methodNotAllowed }] });
    });
  }
});
