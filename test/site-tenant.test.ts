import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type CliRun, explain, runCli } from "../cli/test/support/run-cli.ts";
import { assetHashOf } from "../cloudflare-api/asset-hash.ts";
import { MAX_ASSET_COUNT, MAX_ASSET_SIZE } from "../cloudflare-api/assets.ts";
import { REPO_ROOT } from "../scripts/lib/wrangler-dev.ts";
import { type ControlPlaneApi, controlPlaneApi, eventually, unique } from "./support/control-plane-api.ts";
import { devPlatformForFile } from "./support/dev-platform.ts";
import { emulatorAssets } from "./support/emulator-assets.ts";
import { fixtureCopies } from "./support/fixture-copy.ts";
import { tenantSchedules } from "./support/tenant-schedules.ts";

// Issue 18's proof end to end through `npm run dev`'s processes: `wfp deploy` of
// test/fixtures/site-worker (a static site in public/, a Worker computing with WebAssembly on /api/*,
// a Cron Trigger) to a new tenant; the site answers through the dispatcher with its content types and
// ETags (304 to a conditional request), its nested page, its image byte for byte and its 404 page;
// the Worker answers its routes and reads a page through env.ASSETS; a fired trigger's run shows; a
// second deploy with one file changed uploads one file (as the CLI and the emulator count it); and
// the control plane refuses bad input (a manifest over the limits, a wrong hash, an invalid cron) with 400s.

const FIXTURE = path.join(REPO_ROOT, "test", "fixtures", "site-worker");
const PUBLIC = path.join(FIXTURE, "public");
const CRON = "0 * * * *";

const dev = devPlatformForFile("site");
const copyOfFixture = fixtureCopies(FIXTURE);
let controlPlane: ControlPlaneApi;
let schedules: ReturnType<typeof tenantSchedules>;
let assetsAtEmulator: ReturnType<typeof emulatorAssets>;
beforeAll(() => {
  controlPlane = controlPlaneApi(dev.url("control-plane", "/"));
  schedules = tenantSchedules(dev.url("emulator", ""));
  assetsAtEmulator = emulatorAssets(dev.url("emulator", ""));
});

const wfp = (args: readonly string[]): Promise<CliRun> =>
  runCli([...args, "--interval", "200", "--timeout", "240"], { env: dev.wfpEnv() });

/** The tenant's answer to `pathname` through the dispatcher (path mode). */
const site = (id: string, pathname: string, headers: HeadersInit = {}) =>
  fetch(dev.url("dispatcher", `/${id}${pathname}`), { headers, redirect: "manual" });

/** The tenant's JSON answer to `pathname` once it is a 200. */
const answered = (id: string, pathname: string) =>
  eventually(async () => {
    const response = await site(id, pathname);
    return response.status === 200 ? response.json() : null;
  });

const publicFile = (name: string) => readFile(path.join(PUBLIC, name));

async function scriptName(id: string): Promise<string> {
  const { status, text, json } = await controlPlane.api("GET", `/v1/tenants/${id}`);
  expect(status, text).toBe(200);
  if (json.script === null) throw new Error(`GET /v1/tenants/${id} shows no script: ${text}`);
  return json.script.name;
}

describe("a tenant's whole app (static site, WebAssembly, cron), deployed with wfp", () => {
  const id = unique("site");

  it("serves the site, runs the Worker and the cron; a second deploy uploads only the changed file", async () => {
    const created = await wfp(["tenants", "create", id, "--plan", "free", "--no-r2", "--no-d1", "--wait"]);
    expect(created.code, explain(created)).toBe(0);
    const deployed = await wfp(["deploy", FIXTURE, "--tenant", id, "--wait"]);
    expect(deployed.code, explain(deployed)).toBe(0);
    expect(deployed.stderr).toContain(`uploaded 4 of 4 asset files from ${PUBLIC}`);

    // The home page: HTML with an ETag; the same ETag in If-None-Match gets a 304 without a body.
    const home = await eventually(async () => {
      const response = await site(id, "/");
      return response.status === 200 ? response : null;
    });
    expect(home.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await home.text()).toBe((await publicFile("index.html")).toString("utf8"));
    const etag = home.headers.get("etag");
    expect(etag).toMatch(/^(W\/)?"[^"]+"$/);
    const conditional = await site(id, "/", { "if-none-match": etag as string });
    expect(conditional.status).toBe(304);
    expect(await conditional.text()).toBe("");

    const guide = await site(id, "/docs/guide/");
    expect(guide.status).toBe(200);
    expect(guide.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await guide.text()).toBe((await publicFile("docs/guide/index.html")).toString("utf8"));

    const logo = await site(id, "/logo.png");
    expect(logo.status).toBe(200);
    expect(logo.headers.get("content-type")).toBe("image/png");
    expect(logo.headers.get("etag")).toMatch(/^(W\/)?"[^"]+"$/);
    expect(new Uint8Array(await logo.arrayBuffer())).toEqual(new Uint8Array(await publicFile("logo.png")));

    const missing = await site(id, "/no/such/page");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await missing.text()).toBe((await publicFile("404.html")).toString("utf8"));

    // The Worker's own routes: WebAssembly, and its site read through env.ASSETS.
    expect(await answered(id, "/api/add?a=19&b=23")).toEqual({ a: 19, b: 23, sum: 42 });
    expect(await answered(id, "/api/title")).toEqual({ status: 200, title: "Acme Widgets" });

    // The cron: a trigger fired now runs scheduled(), whose record the Worker reads back.
    const script = await scriptName(id);
    expect(await schedules.crons(script)).toEqual([CRON]);
    const [run] = await schedules.fire(script, CRON);
    expect(run).toEqual(expect.objectContaining({ cron: CRON, outcome: "ok" }));
    const runs = await eventually(async () => {
      const recorded = (await answered(id, "/api/runs")) as { scheduledTime: number; cron: string }[];
      return recorded.some((r) => r.scheduledTime === run?.scheduledTime) ? recorded : null;
    });
    expect(runs).toContainEqual({ scheduledTime: run?.scheduledTime, cron: CRON });

    // One file changed: one file uploaded, as the CLI says it and the emulator counts it.
    const before = await assetsAtEmulator();
    const changedHome = "<!doctype html><title>Acme Widgets</title><h1>New and improved</h1>\n";
    const changed = await copyOfFixture((toml) =>
      toml.replace('main = "src/index.js"', `main = ${JSON.stringify(path.join(FIXTURE, "src", "index.js"))}`),
    );
    await writeFile(path.join(changed, "public", "index.html"), changedHome);
    const redeployed = await wfp(["deploy", changed, "--tenant", id, "--wait"]);
    expect(redeployed.code, explain(redeployed)).toBe(0);
    expect(redeployed.stderr).toContain("uploaded 1 of 4 asset files");
    const after = await assetsAtEmulator();
    expect(after.uploaded.length).toBe(before.uploaded.length + 1);
    expect(after.uploaded.at(-1)?.hash).toBe(assetHashOf(new TextEncoder().encode(changedHome), "/index.html"));
    const newHome = await eventually(async () => {
      const text = await (await site(id, "/")).text();
      return text === changedHome ? text : null;
    });
    expect(newHome).toBe(changedHome);
    const logoAgain = new Uint8Array(await (await site(id, "/logo.png")).arrayBuffer());
    expect(logoAgain).toEqual(new Uint8Array(await publicFile("logo.png")));
  }, 300_000);
});

describe("bad input to the control plane gets a clear 400", () => {
  const id = unique("bad");
  const hash = "0".repeat(32);
  /** A script the API takes, to which each case adds its bad part. */
  const script = {
    mainModule: "index.js",
    modules: { "index.js": "export default { fetch: () => new Response('') };" },
  };

  /** PUT …/script with `extra`: a 400 invalid_request naming `path` in its details. */
  async function refusedScript(extra: Record<string, unknown>, path: string): Promise<string> {
    const { status, text, json } = await controlPlane.api("PUT", `/v1/tenants/${id}/script`, { ...script, ...extra });
    expect(status, text).toBe(400);
    expect(json.error?.code).toBe("invalid_request");
    expect(json.error?.details?.map((detail) => detail.path)).toContain(path);
    return text;
  }

  it("a manifest over the limits, a file whose bytes are not its hash, an invalid cron", async () => {
    await controlPlane.onboard({ id, plan: "free", resources: { kv: false, r2: false, d1: false } });

    const tooMany = Object.fromEntries(
      Array.from({ length: MAX_ASSET_COUNT + 1 }, (_, i) => [`/f${i}.txt`, { hash, size: 1 }]),
    );
    expect(await refusedScript({ assets: { manifest: tooMany } }, "assets.manifest")).toContain(
      `must not list more than ${MAX_ASSET_COUNT} files`,
    );
    const tooLarge = { "/video.mp4": { hash, size: MAX_ASSET_SIZE + 1 } };
    expect(await refusedScript({ assets: { manifest: tooLarge } }, "assets.manifest./video.mp4.size")).toContain(
      `must not exceed ${MAX_ASSET_SIZE} bytes`,
    );

    const asked = await controlPlane.api("POST", "/v1/assets/missing", {
      hashes: Array.from({ length: MAX_ASSET_COUNT + 1 }, () => hash),
    });
    expect(asked.status, asked.text).toBe(400);
    expect(asked.json.error?.code).toBe("invalid_request");

    // A part whose bytes are not those its name (the hash) says: the whole body refused, nothing stored.
    const form = new FormData();
    form.append(
      assetHashOf(new TextEncoder().encode("the real page"), "/index.html"),
      new Blob(["a forged page"]),
      "/index.html",
    );
    const forged = await fetch(dev.url("control-plane", "/v1/assets"), {
      method: "POST",
      headers: { authorization: `Bearer ${dev.wfpEnv().WFP_API_TOKEN}` },
      body: form,
    });
    const forgedText = await forged.text();
    expect(forged.status, forgedText).toBe(400);
    const forgedBody = JSON.parse(forgedText) as { error: { code: string; details?: { path: string }[] } };
    expect(forgedBody.error.code).toBe("invalid_request");
    expect(forgedBody.error.details?.map((detail) => detail.path)).toEqual(["parts.0"]);

    // Cloudflare's cron syntax has no 0 for Sunday (cron-tenant.test.ts: refused by wfp before sending; here, by the API).
    await refusedScript({ crons: ["0 22 * * 0"] }, "crons.0");
  }, 120_000);
});
