import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliRun, explain, runCli } from "../cli/test/support/run-cli.ts";
import { RolloutView } from "../platform/tenants-api.ts";
import { type ControlPlaneApi, controlPlaneApi, eventually, unique } from "./support/control-plane-api.ts";
import { devPlatformForFile } from "./support/dev-platform.ts";

// Issue 14, end to end through `npm run dev`'s processes and the `wfp` CLI: a staged rollout over
// 50 tenants deploys its canary and pauses (only the canary serves the new code), resumes to every
// tenant, and rolls back (every tenant serves its code from before on the next request).

const dev = devPlatformForFile("staged");
let controlPlane: ControlPlaneApi;
let workerDir: string;

/** A Worker folder for `wfp rollout`: it answers `<tenant's GREETING> <version>`. */
async function workerFolder(version: string): Promise<string> {
  const dir = path.join(workerDir, version);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  await writeFile(
    path.join(dir, "wrangler.toml"),
    `name = "staged"\nmain = "index.js"\ncompatibility_date = "2026-11-01"\n`,
  );
  await writeFile(
    path.join(dir, "index.js"),
    `export default { fetch: (_, env) => new Response(env.GREETING + " ${version}") };\n`,
  );
  return dir;
}

beforeAll(async () => {
  controlPlane = controlPlaneApi(dev.url("control-plane", "/"));
  workerDir = await mkdtemp(path.join(tmpdir(), "wfp-staged-worker-"));
});
afterAll(async () => {
  if (workerDir !== undefined) await rm(workerDir, { recursive: true, force: true });
});

const wfp = (args: readonly string[]): Promise<CliRun> =>
  runCli([...args, "--interval", "200", "--timeout", "240"], {
    env: dev.wfpEnv(),
  });

/** What each tenant answers through the dispatcher (path mode), right now. */
async function served(ids: readonly string[]): Promise<Map<string, string>> {
  const answers = new Map<string, string>();
  for (const id of ids) answers.set(id, await (await fetch(dev.url("dispatcher", `/${id}/`))).text());
  return answers;
}

describe("a staged rollout over 50 tenants through npm run dev and wfp", () => {
  const prefix = unique("stg");
  const ids = Array.from({ length: 50 }, (_, i) => `${prefix}-${String(i).padStart(2, "0")}`);

  beforeAll(async () => {
    for (let i = 0; i < ids.length; i += 10) {
      await Promise.all(
        ids.slice(i, i + 10).map((id) =>
          controlPlane.onboard({
            id,
            plan: "free",
            resources: { kv: false, r2: false, d1: false },
            vars: { GREETING: id },
            script: {
              mainModule: "index.js",
              modules: { "index.js": `export default { fetch: (_, env) => new Response(env.GREETING + " v1") };` },
            },
          }),
        ),
      );
    }
    // Routed: each answers through the dispatcher before the rollout.
    for (const id of ids) await eventually(async () => ((await served([id])).get(id) === `${id} v1` ? true : null));
  }, 300_000);

  it("pauses after the canary, resumes to all, and rolls every tenant back", async () => {
    const tenantFlags = ids.flatMap((id) => ["--tenant", id]);
    const started = await wfp(["rollout", await workerFolder("v2"), ...tenantFlags, "--canary", "10%", "--json"]);
    expect(started.code, explain(started)).toBe(0);
    const paused = RolloutView.parse(JSON.parse(started.stdout));
    expect(paused).toMatchObject({
      state: "paused",
      phase: "canary",
      total: 50,
      succeeded: 5,
      pending: 45,
      paused: { reason: "awaiting_resume" },
      canary: { count: 5, succeeded: 5 },
    });
    const canary = new Set(paused.canary.tenants);
    for (const [id, text] of await served(ids)) expect(text).toBe(canary.has(id) ? `${id} v2` : `${id} v1`);

    const resumed = await wfp(["rollouts", "resume", paused.id, "--json"]);
    expect(resumed.code, explain(resumed)).toBe(0);
    expect(RolloutView.parse(JSON.parse(resumed.stdout))).toMatchObject({ state: "completed", succeeded: 50 });
    for (const [id, text] of await served(ids)) expect(text).toBe(`${id} v2`);

    const rolledBack = await wfp(["rollouts", "rollback", paused.id]);
    expect(rolledBack.code, explain(rolledBack)).toBe(0);
    expect(rolledBack.stdout).toContain(`rollout ${paused.id} rolled_back: 50 succeeded, 0 failed, 0 pending of 50`);
    expect(rolledBack.stdout).toContain("  rollback   50 succeeded, 0 failed, 0 pending, 0 skipped (never reached)");
    for (const [id, text] of await served(ids)) expect(text).toBe(`${id} v1`);
  }, 600_000);
});
