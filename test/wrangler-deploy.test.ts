import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { experimental_readRawConfig } from "wrangler";
import { z } from "zod";
import { ErrorCode } from "../cloudflare-api/error-codes.ts";
import { REPO_ROOT } from "../scripts/lib/wrangler-dev.ts";
import { apiBaseUrl, apiToken, collect, ISO_DATE, newAccountId, sdk } from "./support/emulator.ts";
import { runWrangler, type WranglerRun } from "./support/wrangler.ts";

// `wrangler deploy --dispatch-namespace`, the way a platform ships a tenant's
// Worker, against the emulator instead of api.cloudflare.com.
const client = sdk();
const account_id = newAccountId();

const TEMPLATE_CONFIG = path.join(REPO_ROOT, "user-worker-template", "wrangler.toml");
const NAMESPACE = "e2e-deploy-tenants";
const SCRIPT = "tenant-acme";
const BUCKET = "e2e-deploy-assets";
const DATABASE = "e2e-deploy-db";
const TAGS = ["tenant:acme", "plan:free"];
const DEPLOY_TIMEOUT_MS = 90_000;

/** What this test relies on in the template's config. */
const TemplateConfig = z
  .object({ main: z.string(), compatibility_date: z.string(), vars: z.record(z.string(), z.string()) })
  .loose();

let workDir: string;
let kvId: string;
let databaseId: string;

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), "wfp-deploy-"));
  await client.workersForPlatforms.dispatch.namespaces.create({ account_id, name: NAMESPACE });
  kvId = (await client.kv.namespaces.create({ account_id, title: "e2e-deploy-kv" })).id;
  await client.r2.buckets.create({ account_id, name: BUCKET });
  databaseId = z.string().parse((await client.d1.database.create({ account_id, name: DATABASE })).uuid);
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
    unsafe: { metadata: { tags: TAGS } },
  };
  const configPath = path.join(workDir, "wrangler.json");
  await writeFile(configPath, JSON.stringify(config, null, 2));
  return configPath;
}

async function deploy(greeting: string): Promise<WranglerRun> {
  const configPath = await writeDeployConfig(greeting);
  return runWrangler(["deploy", "--config", configPath, "--dispatch-namespace", NAMESPACE], {
    cwd: workDir,
    timeoutMs: DEPLOY_TIMEOUT_MS,
    env: {
      CLOUDFLARE_API_BASE_URL: apiBaseUrl(),
      CLOUDFLARE_API_TOKEN: apiToken(),
      CLOUDFLARE_ACCOUNT_ID: account_id,
      // Every API call wrangler makes, in its output (headers and bodies stay sanitized).
      WRANGLER_LOG: "debug",
      WRANGLER_LOG_PATH: workDir,
    },
  });
}

/** wrangler's output without its telemetry chatter, to explain a failed deploy. */
const explain = (run: WranglerRun) =>
  `wrangler exited with ${run.code}:\n${run.output
    .split("\n")
    .filter((line) => !line.startsWith("Metrics dispatcher"))
    .join("\n")}`;

const scripts = client.workersForPlatforms.dispatch.namespaces.scripts;
const where = { account_id, dispatch_namespace: NAMESPACE };

async function bindingsOf(scriptName: string) {
  return collect(scripts.bindings.get(scriptName, where));
}

describe("wrangler deploy --dispatch-namespace", () => {
  it("uploads the template, whose script, modules, bindings and tags the API then shows", async () => {
    const run = await deploy("Hello from acme");
    expect(run.code, explain(run)).toBe(0);

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
    expect(bindings).toHaveLength(4);
    expect(bindings).toEqual(
      expect.arrayContaining([
        { name: "GREETING", type: "plain_text", text: "Hello from acme" },
        { name: "KV", type: "kv_namespace", namespace_id: kvId },
        expect.objectContaining({ name: "BUCKET", type: "r2_bucket", bucket_name: BUCKET }),
        expect.objectContaining({ name: "DB", type: "d1", database_id: databaseId }),
      ]),
    );

    const tags = await collect(scripts.tags.list(SCRIPT, where));
    expect([...tags].sort()).toEqual([...TAGS].sort());

    const namespace = await client.workersForPlatforms.dispatch.namespaces.get(NAMESPACE, { account_id });
    expect(namespace.script_count).toBe(1);
  });

  it("deploys again over the existing script, replacing its var and keeping one script", async () => {
    const run = await deploy("Hello again from acme");
    expect(run.code, explain(run)).toBe(0);

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
