import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMPATIBILITY_DATE } from "../../platform/compatibility-date.ts";
import { PutScriptRequest, TenantView } from "../../platform/tenants-api.ts";
import { type FakeControlPlane, startFakeControlPlane } from "./support/fake-control-plane.ts";
import { explain, runCli } from "./support/run-cli.ts";

// `wfp deploy` and `wfp tenants create --deploy` send the config's `[triggers] crons`; `tenants get` shows them.
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

/** A Worker folder whose wrangler.toml ends with `triggers` (none: no `[triggers]` table at all). */
async function workerWith(triggers: string[]): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), "wfp-crons-"));
  dirs.push(dir);
  await mkdir(path.join(dir, "src"));
  await writeFile(
    path.join(dir, "wrangler.toml"),
    ['name = "worker"', 'main = "src/index.ts"', `compatibility_date = "${COMPATIBILITY_DATE}"`, ...triggers].join(
      "\n",
    ),
  );
  await writeFile(
    path.join(dir, "src", "index.ts"),
    "export default { fetch: () => new Response('ok'), scheduled: async () => {} };\n",
  );
  return dir;
}

/** The bodies of the PUTs of the tenant's script sent since `since` requests. */
const putsOf = (tenant: string, since: number) =>
  fake.requests
    .slice(since)
    .filter((r) => r.method === "PUT" && r.path.split("?")[0] === `/v1/tenants/${tenant}/script`)
    .map((r) => PutScriptRequest.parse(r.body));

describe("cron triggers from the tenant's wrangler config", () => {
  it("deploy sends [triggers] crons, keeps the tenant's without [triggers], clears them with crons = []", async () => {
    const created = await wfp(["tenants", "create", "ticker", "--plan", "free", "--wait"]);
    expect(created.code, explain(created)).toBe(0);
    const since = fake.requests.length;

    const withCrons = await workerWith(["[triggers]", 'crons = ["*/5 * * * *", "0 3 * * MON-FRI"]']);
    const first = await wfp(["deploy", withCrons, "--tenant", "ticker", "--wait", "--json"]);
    expect(first.code, explain(first)).toBe(0);
    expect(TenantView.parse(JSON.parse(first.stdout)).script?.crons).toEqual(["*/5 * * * *", "0 3 * * MON-FRI"]);

    const shown = await wfp(["tenants", "get", "ticker"]);
    expect(shown.code, explain(shown)).toBe(0);
    expect(shown.stdout).toMatch(/^ {2}crons +\*\/5 \* \* \* \*, 0 3 \* \* MON-FRI \(UTC\)$/m);

    const without = await wfp(["deploy", await workerWith([]), "--tenant", "ticker", "--wait", "--json"]);
    expect(without.code, explain(without)).toBe(0);
    expect(TenantView.parse(JSON.parse(without.stdout)).script?.crons).toEqual(["*/5 * * * *", "0 3 * * MON-FRI"]);

    const cleared = await wfp([
      "deploy",
      await workerWith(["[triggers]", "crons = []"]),
      "--tenant",
      "ticker",
      "--wait",
      "--json",
    ]);
    expect(cleared.code, explain(cleared)).toBe(0);
    expect(TenantView.parse(JSON.parse(cleared.stdout)).script?.crons).toEqual([]);
    expect((await wfp(["tenants", "get", "ticker"])).stdout).not.toContain("crons");

    const puts = putsOf("ticker", since);
    expect(puts.map((put) => put.crons)).toEqual([["*/5 * * * *", "0 3 * * MON-FRI"], undefined, []]);
    expect(puts.map((put) => Object.hasOwn(put, "crons"))).toEqual([true, false, true]);
  });

  it("deploy --no-deploy sends no crons (they run the deployed version) and says so", async () => {
    const created = await wfp(["tenants", "create", "staged", "--plan", "free", "--wait"]);
    expect(created.code, explain(created)).toBe(0);
    const since = fake.requests.length;
    const dir = await workerWith(["[triggers]", 'crons = ["0 0 * * *"]']);
    const run = await wfp(["deploy", dir, "--tenant", "staged", "--no-deploy", "--wait"]);
    expect(run.code, explain(run)).toBe(0);
    expect(run.stderr).toContain("cron triggers are not sent with --no-deploy");
    expect(putsOf("staged", since).map((put) => Object.hasOwn(put, "crons"))).toEqual([false]);
  });

  it("tenants create --deploy sends the crons with the script", async () => {
    const dir = await workerWith(["[triggers]", 'crons = ["30 2 L * *"]']);
    const run = await wfp(["tenants", "create", "nightly", "--plan", "free", "--deploy", dir, "--wait"]);
    expect(run.code, explain(run)).toBe(0);
    const create = fake.requests.find((r) => r.method === "POST" && (r.body as { id?: string }).id === "nightly");
    const body = create?.body as { script?: { crons?: unknown } } | undefined;
    expect(body?.script?.crons).toEqual(["30 2 L * *"]);
  });

  it("a cron Cloudflare refuses: exit 5 naming it and why, nothing sent", async () => {
    const created = await wfp(["tenants", "create", "badcron", "--plan", "free", "--wait"]);
    expect(created.code, explain(created)).toBe(0);
    const since = fake.requests.length;
    const dir = await workerWith(["[triggers]", 'crons = ["0 0 * * *", "0 0 * * 0"]']);
    const run = await wfp(["deploy", dir, "--tenant", "badcron"]);
    expect(run.code, explain(run)).toBe(5);
    expect(run.stderr).toContain("triggers.crons.1: invalid cron expression '0 0 * * 0'");
    expect(fake.requests.length).toBe(since);
  });
});
