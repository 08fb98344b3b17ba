import { mkdir, mkdtemp, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_ASSET_COUNT, MAX_ASSET_SIZE } from "../../cloudflare-api/assets.ts";
import { COMPATIBILITY_DATE } from "../../platform/compatibility-date.ts";
import { CreateRolloutRequest, CreateTenantRequest, PutScriptRequest } from "../../platform/tenants-api.ts";
import { REPO_ROOT } from "../../scripts/lib/wrangler-dev.ts";
import type { AssetFile } from "../asset-files.ts";
import { batchesOf } from "../upload-assets.ts";
import { type FakeControlPlane, startFakeControlPlane } from "./support/fake-control-plane.ts";
import { explain, runCli } from "./support/run-cli.ts";

// `wfp deploy` sends the config's [assets]: the directory walked as wrangler walks it (.assetsignore,
// never its rules files), hashed with wrangler's hash, checked against Cloudflare's limits before any
// request, only the files the platform lacks uploaded (multipart, in batches), then the script naming them.
const SITE_WORKER = path.join(REPO_ROOT, "test", "fixtures", "site-worker");
let fake: FakeControlPlane;
const dirs: string[] = [];

beforeAll(async () => {
  fake = await startFakeControlPlane();
});

afterAll(async () => {
  await fake?.close();
  await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
});

const wfp = (args: readonly string[]) =>
  runCli([...args, "--interval", "10"], { env: { WFP_API_URL: fake.url, WFP_API_TOKEN: fake.token } });

/** The files of the site the hash vectors name: their hashes are wrangler's own hashFile's. */
const SITE: Record<string, string | Uint8Array> = {
  "index.html": "<h1>hi</h1>",
  "a/.env": "x",
  empty: "",
  "img.png": new Uint8Array([0xff, 0x00, 0x62, 0x69, 0x6e]),
};
const SITE_MANIFEST = {
  "/index.html": { hash: "e5e943f01929441dfbb0d4956a759fda", size: 11 },
  "/a/.env": { hash: "c89c27f28e24f706b72c408fe1d6537a", size: 1 },
  "/empty": { hash: "af1349b9f5f9a1a6a0404dea36dcc949", size: 0 },
  "/img.png": { hash: "ff5baad5c2f844dda5a02efbb134e68e", size: 5 },
};

/** A Worker folder whose wrangler.toml ends with `config` lines, and `files` (paths relative to the folder). */
async function workerWith(config: string[], files: Record<string, string | Uint8Array> = {}): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "wfp-assets-"));
  dirs.push(dir);
  const toml = ['name = "site"', 'main = "src/index.js"', `compatibility_date = "${COMPATIBILITY_DATE}"`, ...config];
  await write(dir, {
    "wrangler.toml": toml.join("\n"),
    "src/index.js": "export default { fetch: (request, env) => env.ASSETS.fetch(request) };\n",
    ...files,
  });
  return dir;
}

async function write(dir: string, files: Record<string, string | Uint8Array>): Promise<void> {
  for (const [name, contents] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), contents);
  }
}

const inPublic = (files: Record<string, string | Uint8Array>) =>
  Object.fromEntries(Object.entries(files).map(([name, contents]) => [`public/${name}`, contents]));

/** The bodies of the PUTs of the tenant's script sent since `since` requests. */
const putsOf = (tenant: string, since: number) =>
  fake.requests
    .slice(since)
    .filter((r) => r.method === "PUT" && r.path.split("?")[0] === `/v1/tenants/${tenant}/script`)
    .map((r) => PutScriptRequest.parse(r.body));

const uploadsSince = (since: number) => fake.requests.slice(since).filter((r) => r.path === "/v1/assets").length;

async function tenant(id: string): Promise<void> {
  const created = await wfp(["tenants", "create", id, "--plan", "free", "--wait"]);
  expect(created.code, explain(created)).toBe(0);
}

describe("wfp deploy with [assets]", () => {
  it("sends the manifest with wrangler's hashes, skips what .assetsignore lists (and itself), uploads what is missing", async () => {
    await tenant("site");
    const dir = await workerWith(
      [
        "[assets]",
        'directory = "./public"',
        'binding = "ASSETS"',
        'html_handling = "drop-trailing-slash"',
        'not_found_handling = "404-page"',
        'run_worker_first = ["/api/*"]',
      ],
      inPublic({
        ...SITE,
        ".assetsignore": "drafts/\n*.map\n",
        "drafts/next.html": "<p>soon</p>",
        "app.js.map": "{}",
      }),
    );
    const since = fake.requests.length;
    const run = await wfp(["deploy", dir, "--tenant", "site", "--wait"]);
    expect(run.code, explain(run)).toBe(0);
    expect(run.stderr).toContain(`uploaded 4 of 4 asset files from ${path.join(dir, "public")}`);

    const [put] = putsOf("site", since);
    expect(put?.assets).toEqual({
      manifest: SITE_MANIFEST,
      htmlHandling: "drop-trailing-slash",
      notFoundHandling: "404-page",
      runWorkerFirst: ["/api/*"],
    });
    // Asked first, then one multipart body with a part per file: named by its hash, its filename its path.
    const paths = fake.requests.slice(since).map((r) => `${r.method} ${r.path.split("?")[0]}`);
    expect(paths.indexOf("POST /v1/assets/missing")).toBeLessThan(paths.indexOf("POST /v1/assets"));
    expect(paths.indexOf("POST /v1/assets")).toBeLessThan(paths.indexOf("PUT /v1/tenants/site/script"));
    const asked = fake.requests.slice(since).find((r) => r.path === "/v1/assets/missing")?.body as { hashes: string[] };
    expect(asked.hashes.sort()).toEqual(
      Object.values(SITE_MANIFEST)
        .map((entry) => entry.hash)
        .sort(),
    );
    const parts = fake.assetUploads.at(-1) ?? [];
    expect(parts.map((part) => [part.filename, part.name, part.size]).sort()).toEqual(
      Object.entries(SITE_MANIFEST)
        .map(([file, entry]) => [file, entry.hash, entry.size])
        .sort(),
    );
  });

  it("a second deploy with one file changed uploads that one; another tenant with the same files uploads none", async () => {
    await tenant("twice");
    const dir = await workerWith(["[assets]", 'directory = "public"'], inPublic(SITE));
    const first = await wfp(["deploy", dir, "--tenant", "twice", "--wait"]);
    expect(first.code, explain(first)).toBe(0);

    await write(dir, inPublic({ "index.html": "<h1>hello</h1>" }));
    const since = fake.requests.length;
    const second = await wfp(["deploy", dir, "--tenant", "twice", "--wait"]);
    expect(second.code, explain(second)).toBe(0);
    expect(second.stderr).toContain("uploaded 1 of 4 asset files");
    expect(uploadsSince(since)).toBe(1);
    expect(fake.assetUploads.at(-1)?.map((part) => part.filename)).toEqual(["/index.html"]);
    expect(putsOf("twice", since)[0]?.assets?.manifest["/index.html"]?.size).toBe(14);

    await tenant("copycat");
    const sinceCopy = fake.requests.length;
    const copy = await wfp(["deploy", dir, "--tenant", "copycat", "--wait"]);
    expect(copy.code, explain(copy)).toBe(0);
    expect(copy.stderr).toContain("uploaded 0 of 4 asset files");
    expect(uploadsSince(sinceCopy)).toBe(0);
  });

  it("a config without [assets] sends assets: null (a version without any, as wrangler deploys it)", async () => {
    await tenant("plain");
    const since = fake.requests.length;
    const run = await wfp(["deploy", await workerWith([]), "--tenant", "plain", "--wait"]);
    expect(run.code, explain(run)).toBe(0);
    const [put] = putsOf("plain", since);
    expect(put !== undefined && Object.hasOwn(put, "assets") && put.assets === null).toBe(true);
    expect(fake.requests.slice(since).some((r) => r.path.startsWith("/v1/assets"))).toBe(false);
  });

  it("tenants create --deploy uploads the files and sends the assets with the script", async () => {
    const dir = await workerWith(["[assets]", 'directory = "public"'], inPublic({ "new.txt": "brand new" }));
    const since = fake.requests.length;
    const run = await wfp(["tenants", "create", "fresh", "--plan", "free", "--deploy", dir, "--wait"]);
    expect(run.code, explain(run)).toBe(0);
    expect(run.stderr).toContain("uploaded 1 of 1 asset files");
    const create = fake.requests.slice(since).find((r) => r.method === "POST" && r.path === "/v1/tenants");
    expect(Object.keys(CreateTenantRequest.parse(create?.body).script?.assets?.manifest ?? {})).toEqual(["/new.txt"]);
  });

  it("test/fixtures/site-worker: wrangler bundles it with [assets] in its config (and its WebAssembly); its four files sent", async () => {
    await tenant("whole-app");
    const since = fake.requests.length;
    const run = await wfp(["deploy", SITE_WORKER, "--tenant", "whole-app", "--wait"]);
    expect(run.code, explain(run)).toBe(0);
    expect(run.stderr).toContain("uploaded 4 of 4 asset files");
    const [put] = putsOf("whole-app", since);
    expect(Object.values(put?.modules ?? {})).toContainEqual({ type: "wasm", base64: expect.any(String) });
    expect(put?.crons).toEqual(["0 * * * *"]);
    expect(put?.assets).toEqual({
      manifest: {
        "/404.html": expect.any(Object),
        "/docs/guide/index.html": expect.any(Object),
        "/index.html": expect.any(Object),
        "/logo.png": expect.any(Object),
      },
      notFoundHandling: "404-page",
      runWorkerFirst: ["/api/*"],
    });
  });

  it("rollout sends no assets (each tenant keeps its own) and says so", async () => {
    await tenant("rolled");
    const dir = await workerWith(["[assets]", 'directory = "public"'], inPublic(SITE));
    const since = fake.requests.length;
    const run = await wfp(["rollout", dir, "--tenant", "rolled", "--canary", "0", "--detach"]);
    expect(run.code, explain(run)).toBe(0);
    expect(run.stderr).toContain("[assets] are not sent with a rollout: each tenant keeps its own");
    const created = fake.requests.slice(since).find((r) => r.method === "POST" && r.path === "/v1/rollouts");
    const { script } = CreateRolloutRequest.parse(created?.body);
    expect(Object.hasOwn(script, "assets")).toBe(false);
    expect(fake.requests.slice(since).some((r) => r.path.startsWith("/v1/assets"))).toBe(false);
  });
});

describe("wfp deploy refuses, before any request, assets the platform would not take", () => {
  /** Runs a deploy of `dir` that must exit 5 (build_failed) having sent nothing; its stderr. */
  async function refused(dir: string): Promise<string> {
    const since = fake.requests.length;
    const run = await wfp(["deploy", dir, "--tenant", "site"]);
    expect(run.code, explain(run)).toBe(5);
    expect(fake.requests.length, "no request sent").toBe(since);
    return run.stderr;
  }

  it(`more than ${MAX_ASSET_COUNT} files`, async () => {
    const dir = await workerWith(["[assets]", 'directory = "public"']);
    await mkdir(path.join(dir, "public"));
    const names = Array.from({ length: MAX_ASSET_COUNT + 1 }, (_, i) => `f${i}.txt`);
    for (let i = 0; i < names.length; i += 500) {
      await Promise.all(names.slice(i, i + 500).map((name) => writeFile(path.join(dir, "public", name), "")));
    }
    expect(await refused(dir)).toContain(
      `has ${MAX_ASSET_COUNT + 1} files: Cloudflare takes at most ${MAX_ASSET_COUNT}`,
    );
  });

  it("a file over 25 MiB", async () => {
    const dir = await workerWith(["[assets]", 'directory = "public"'], inPublic({ "ok.txt": "fine" }));
    const big = path.join(dir, "public", "big.bin");
    await writeFile(big, "");
    await truncate(big, MAX_ASSET_SIZE + 1);
    expect(await refused(dir)).toContain(`an asset must not exceed ${MAX_ASSET_SIZE} bytes (25 MiB): ${big}`);
  });

  it("a binding other than ASSETS", async () => {
    const dir = await workerWith(["[assets]", 'directory = "public"', 'binding = "STATIC"'], inPublic(SITE));
    expect(await refused(dir)).toContain('binding = "STATIC": the platform binds a tenant\'s assets as ASSETS');
  });

  it("a _headers file (the platform does not apply its rules)", async () => {
    const dir = await workerWith(
      ["[assets]", 'directory = "public"'],
      inPublic({ ...SITE, _headers: "/*\n  X-Frame-Options: DENY\n" }),
    );
    expect(await refused(dir)).toContain("the platform does not apply _headers files yet");
  });

  it("a Pages _worker.js without an .assetsignore (it would be served as a file)", async () => {
    const dir = await workerWith(["[assets]", 'directory = "public"'], inPublic({ ...SITE, "_worker.js": "//" }));
    expect(await refused(dir)).toContain("_worker.js would be uploaded as a public asset");
  });

  it("an assets directory that does not exist", async () => {
    const dir = await workerWith(["[assets]", 'directory = "site"'], inPublic(SITE));
    expect(await refused(dir)).toContain(`[assets] directory ${path.join(dir, "site")} does not exist`);
  });

  it("an empty assets directory", async () => {
    const dir = await workerWith(["[assets]", 'directory = "public"'], inPublic({ ".assetsignore": "*.txt\n" }));
    expect(await refused(dir)).toContain("has no file to upload");
  });
});

describe("asset upload batches", () => {
  const file = (n: number, size: number): AssetFile => ({
    path: `/f${n}`,
    file: `/tmp/f${n}`,
    size,
    hash: "0".repeat(32),
  });
  const sizes = (batches: AssetFile[][]) => batches.map((batch) => batch.map((f) => f.size));

  it("files share a body up to the control plane's limit (one 25 MiB file and its framing)", () => {
    const kib = 1024;
    expect(sizes(batchesOf([file(0, 10), file(1, MAX_ASSET_SIZE), file(2, 1100 * kib), file(3, 30)]))).toEqual([
      [10, MAX_ASSET_SIZE],
      [1100 * kib, 30],
    ]);
    const half = MAX_ASSET_SIZE / 2;
    expect(sizes(batchesOf([file(0, half), file(1, half), file(2, half)]))).toEqual([[half, half], [half]]);
    // Two such halves are over MAX_ASSETS_BODY_BYTES, 26 MiB.
    const over = half + 600 * 1024;
    expect(sizes(batchesOf([file(0, over), file(1, over)]))).toEqual([[over], [over]]);
  });

  it("at most 1,000 files a body", () => {
    const many = Array.from({ length: 2500 }, (_, i) => file(i, 1));
    expect(batchesOf(many).map((batch) => batch.length)).toEqual([1000, 1000, 500]);
  });
});
