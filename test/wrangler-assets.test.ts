import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { z } from "zod";
import { assetHashOf } from "../cloudflare-api/asset-hash.ts";
import { type DispatchProbe, startDispatchProbe } from "./support/dispatch-probe.ts";
import { apiToken, collect, newAccountId, sdk } from "./support/emulator.ts";
import { getWithHost } from "./support/host-request.ts";
import { emulatorWranglerEnv, explainRun, runWrangler } from "./support/wrangler.ts";

// `wrangler deploy --dispatch-namespace` of a Worker with an `[assets]` directory, against the
// emulator: wrangler's own upload session, bucket uploads and script upload (metadata.assets with its
// config, the ASSETS binding), then the site served through the emulator's dispatch namespace.
const client = sdk();
const account_id = newAccountId();
const NAMESPACE = "e2e-assets-tenants";
const SCRIPT = "tenant-site";
/** An assets-only Worker: `[assets]` without `main`. */
const STATIC_SCRIPT = "tenant-static";
const DEPLOY_TIMEOUT_MS = 90_000;

const WORKER = `export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    if (url.pathname === "/api/hello") return Response.json({ hello: "from the worker" });
    if (url.pathname === "/api/page") return env.ASSETS.fetch(new URL("/about.html", url));
    return new Response("the worker, for " + url.pathname, { status: 418 });
  },
};
`;

const FILES: Record<string, string> = {
  "index.html": "<h1>welcome</h1>",
  "about.html": "<p>about us</p>",
  "style.css": "body { color: teal; }",
  "404.html": "<p>nothing here</p>",
};

let workDir: string;

/**
 * Writes the project (public/ with FILES and `changes`, the Worker unless `assetsOnly`, wrangler.json)
 * and deploys it with wrangler.
 */
async function deploy(changes: Record<string, string> = {}, { assetsOnly = false } = {}) {
  await mkdir(path.join(workDir, "public"), { recursive: true });
  for (const [name, contents] of Object.entries({ ...FILES, ...changes })) {
    await writeFile(path.join(workDir, "public", name), contents);
  }
  await writeFile(path.join(workDir, "index.js"), WORKER);
  const config = {
    name: assetsOnly ? STATIC_SCRIPT : SCRIPT,
    ...(assetsOnly ? {} : { main: "index.js" }),
    compatibility_date: "2026-11-01",
    assets: {
      directory: "public",
      not_found_handling: "404-page",
      ...(assetsOnly ? {} : { binding: "ASSETS" }),
    },
  };
  const configPath = path.join(workDir, "wrangler.json");
  await writeFile(configPath, JSON.stringify(config, null, 2));
  const args = ["deploy", "--config", configPath, "--dispatch-namespace", NAMESPACE];
  const run = await runWrangler(args, {
    cwd: workDir,
    timeoutMs: DEPLOY_TIMEOUT_MS,
    env: emulatorWranglerEnv(account_id, workDir),
  });
  expect(run.code, explainRun(run)).toBe(0);
}

const UploadedFiles = z.object({ result: z.object({ uploaded: z.array(z.object({ hash: z.string() })) }) });

/** The hashes the emulator's upload route took for the account, oldest first. */
async function uploadedHashes(): Promise<string[]> {
  const res = await fetch(`${inject("emulatorUrl")}/__emulator/assets/${account_id}`, {
    headers: { authorization: `Bearer ${apiToken()}` },
  });
  return UploadedFiles.parse(await res.json()).result.uploaded.map((file) => file.hash);
}

/** The hash wrangler gives a file of public/: the ETag production serves it with. */
const hashOf = async (name: string) =>
  assetHashOf(new Uint8Array(await readFile(path.join(workDir, "public", name))), `/${name}`);

beforeAll(async () => {
  workDir = await mkdtemp(path.join(tmpdir(), "wfp-assets-"));
  await client.workersForPlatforms.dispatch.namespaces.create({ account_id, name: NAMESPACE });
});

afterAll(async () => {
  if (workDir !== undefined) await rm(workDir, { recursive: true, force: true });
});

/** In the calling describe: deploys with `deployIt`, then a dispatch probe for `script`, stopped after its tests. */
function deployedBehindProbe(deployIt: () => Promise<void>, script: string): () => DispatchProbe {
  let probe: DispatchProbe | undefined;
  beforeAll(async () => {
    await deployIt();
    probe = await startDispatchProbe(workDir, { accountId: account_id, namespace: NAMESPACE, script, tenant: script });
  });
  afterAll(async () => {
    await probe?.stop();
  });
  return () => probe as DispatchProbe;
}

describe("wrangler deploy --dispatch-namespace of a Worker with [assets]", () => {
  const probe = deployedBehindProbe(() => deploy(), SCRIPT);
  const site = (route: string, init?: RequestInit) => fetch(`${probe().url}${route}`, { redirect: "manual", ...init });

  it("uploads every file once, and the script has its assets and its ASSETS binding", async () => {
    const hashes = await Promise.all(Object.keys(FILES).map(hashOf));
    expect((await uploadedHashes()).sort()).toEqual([...hashes].sort());
    const script = await client.workersForPlatforms.dispatch.namespaces.scripts.get(SCRIPT, {
      account_id,
      dispatch_namespace: NAMESPACE,
    });
    expect(script.script?.has_assets).toBe(true);
    const bindings = await collect(
      client.workersForPlatforms.dispatch.namespaces.scripts.bindings.get(SCRIPT, {
        account_id,
        dispatch_namespace: NAMESPACE,
      }),
    );
    expect(bindings).toContainEqual({ type: "assets", name: "ASSETS" });
  });

  it("serves a file with its type and wrangler's hash as its ETag, and 304 to a client that has it", async () => {
    const res = await site("/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    const etag = `"${await hashOf("index.html")}"`;
    expect(res.headers.get("etag")).toBe(etag);
    expect(await res.text()).toBe(FILES["index.html"]);
    expect((await site("/style.css")).headers.get("content-type")).toBe("text/css; charset=utf-8");
    const again = await site("/", { headers: { "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
  });

  it("serves /about from about.html and redirects /about.html to it (html_handling's default)", async () => {
    expect(await (await site("/about")).text()).toBe(FILES["about.html"]);
    const redirected = await site("/about.html");
    expect(redirected.status).toBe(307);
    expect(redirected.headers.get("location")).toBe("/about");
  });

  it("runs the Worker for its own routes and for paths no file has, and env.ASSETS.fetch() reads a page", async () => {
    expect(await (await site("/api/hello")).json()).toEqual({ hello: "from the worker" });
    const other = await site("/somewhere");
    expect(other.status).toBe(418);
    expect(await other.text()).toBe("the worker, for /somewhere");
    expect(await (await site("/api/page")).text()).toBe(FILES["about.html"]);
  });

  it("answers a browser's navigation to a missing page with 404.html (not_found_handling)", async () => {
    // Through node:http: Node's fetch sends its own Sec-Fetch-Mode (cors) whatever it is given.
    const { host, port } = new URL(probe().url);
    const res = await getWithHost(Number(port), "/no/such/page", host, { "sec-fetch-mode": "navigate" });
    expect(res).toEqual({ status: 404, body: FILES["404.html"] });
  });

  it("uploads only the changed file when deployed again with one file changed, and serves the new one", async () => {
    const before = await uploadedHashes();
    const changed = "<h1>welcome back</h1>";
    await deploy({ "index.html": changed });
    const after = await uploadedHashes();
    expect(after.slice(before.length)).toEqual([await hashOf("index.html")]);
    expect(await (await site("/")).text()).toBe(changed);
  });
});

describe("wrangler deploy --dispatch-namespace of [assets] without main (an assets-only Worker)", () => {
  const probe = deployedBehindProbe(() => deploy({}, { assetsOnly: true }), STATIC_SCRIPT);

  it("serves the files, and every other path from not_found_handling: there is no Worker to run", async () => {
    const home = await fetch(`${probe().url}/`);
    expect(home.headers.get("etag")).toBe(`"${await hashOf("index.html")}"`);
    expect(await home.text()).toBe(FILES["index.html"]);
    const missing = await fetch(`${probe().url}/api/hello`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe(FILES["404.html"]);
    const script = await client.workersForPlatforms.dispatch.namespaces.scripts.get(STATIC_SCRIPT, {
      account_id,
      dispatch_namespace: NAMESPACE,
    });
    expect(script.script).toMatchObject({ has_assets: true, has_modules: false });
  });
});
