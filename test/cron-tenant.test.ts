import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { type CliRun, explain, runCli } from "../cli/test/support/run-cli.ts";
import { REPO_ROOT } from "../scripts/lib/wrangler-dev.ts";
import { type ControlPlaneApi, controlPlaneApi, eventually, unique } from "./support/control-plane-api.ts";
import { devPlatformForFile } from "./support/dev-platform.ts";
import { fixtureCopies } from "./support/fixture-copy.ts";
import { tenantSchedules } from "./support/tenant-schedules.ts";

// Issue 18's cron triggers end to end through `npm run dev`'s processes: `wfp deploy` sends the
// `[triggers] crons` of test/fixtures/cron-worker; the control plane sets them on the tenant's script
// (GET shows them, and so does the emulator's Cloudflare API) and keeps them when a var change uploads
// the script again; a trigger fired through the emulator's hook runs the tenant's `scheduled()`, whose
// record in the tenant's KV the tenant's own `fetch` answers through the dispatcher; `crons = []`
// clears them; a cron Cloudflare refuses is refused by `wfp deploy` before anything is sent.

const FIXTURE = path.join(REPO_ROOT, "test", "fixtures", "cron-worker");
const CRON = "*/5 * * * *";
/** The exit code of `wfp` for input refused before sending (cli/README.md). */
const EXIT_BAD_INPUT = 5;

const dev = devPlatformForFile("crons");
const copyOfFixture = fixtureCopies(FIXTURE);
let controlPlane: ControlPlaneApi;
let schedules: ReturnType<typeof tenantSchedules>;
beforeAll(() => {
  controlPlane = controlPlaneApi(dev.url("control-plane", "/"));
  schedules = tenantSchedules(dev.url("emulator", ""));
});

const wfp = (args: readonly string[]): Promise<CliRun> =>
  runCli([...args, "--interval", "200", "--timeout", "240"], { env: dev.wfpEnv() });

/** The fixture with its `[triggers] crons` replaced by `crons` (a TOML array). */
const withCrons = (crons: string) => copyOfFixture((toml) => toml.replace(/^crons = .*$/m, `crons = ${crons}`));

type Run = { scheduledTime: number; cron: string };

/** The runs of the tenant's `scheduled()` it recorded, as its `GET /runs` answers through the dispatcher. */
const runsOf = (id: string): Promise<Run[]> =>
  eventually(async () => {
    const response = await fetch(dev.url("dispatcher", `/${id}/runs`));
    return response.status === 200 ? ((await response.json()) as Run[]) : null;
  });

/**
 * Runs the emulator's alarm started on its own, on the minute (a `*\/5` trigger may come due during
 * the test): those are not the ones this test fires, which run at the time of the call.
 */
const notOnTheMinute = (runs: Run[]) => runs.filter((run) => run.scheduledTime % 60_000 !== 0);

/** GET /v1/tenants/{id}'s script: its name and crons. */
async function scriptOf(id: string): Promise<{ name: string; etag: string | null; crons: string[] }> {
  const { status, text, json } = await controlPlane.api("GET", `/v1/tenants/${id}`);
  expect(status, text).toBe(200);
  if (json.script === null) throw new Error(`GET /v1/tenants/${id} shows no script: ${text}`);
  return json.script;
}

describe("a tenant's cron trigger, deployed with wfp", () => {
  const id = unique("cron");

  it("is set from [triggers], fired runs scheduled(), [] clears it, a bad cron is refused before sending", async () => {
    const created = await wfp(["tenants", "create", id, "--plan", "free", "--no-r2", "--no-d1", "--wait"]);
    expect(created.code, explain(created)).toBe(0);
    const deployed = await wfp(["deploy", FIXTURE, "--tenant", id, "--wait"]);
    expect(deployed.code, explain(deployed)).toBe(0);

    const script = await scriptOf(id);
    expect(script.crons).toEqual([CRON]);
    expect(await schedules.crons(script.name)).toEqual([CRON]);
    expect(notOnTheMinute(await runsOf(id)), "no run before one is fired").toEqual([]);

    // A var changed: the script is uploaded again, and its triggers stay (they are the script's).
    const updated = await wfp(["tenants", "update", id, "--var", "MODE=second", "--wait"]);
    expect(updated.code, explain(updated)).toBe(0);
    expect((await scriptOf(id)).crons).toEqual([CRON]);
    expect(await schedules.crons(script.name)).toEqual([CRON]);

    const fired = await schedules.fire(script.name, CRON);
    expect(fired).toEqual([expect.objectContaining({ cron: CRON, outcome: "ok" })]);
    const [run] = fired as [(typeof fired)[number]];
    const recorded = await eventually(async () => {
      const runs = notOnTheMinute(await runsOf(id));
      return runs.length > 0 ? runs : null;
    });
    expect(recorded).toEqual([{ scheduledTime: run.scheduledTime, cron: CRON }]);

    // Refused by the CLI before sending: the tenant's script (its etag, upload time) and crons stay as they were.
    const before = await scriptOf(id);
    const refused = await wfp(["deploy", await withCrons('["0 22 * * 0"]'), "--tenant", id, "--wait"]);
    expect(refused.code, explain(refused)).toBe(EXIT_BAD_INPUT);
    expect(refused.stderr).toContain("triggers.crons.0");
    expect(await scriptOf(id)).toEqual(before);
    expect(await schedules.crons(script.name)).toEqual([CRON]);

    const cleared = await wfp(["deploy", await withCrons("[]"), "--tenant", id, "--wait"]);
    expect(cleared.code, explain(cleared)).toBe(0);
    expect((await scriptOf(id)).crons).toEqual([]);
    expect(await schedules.crons(script.name)).toEqual([]);
    await expect(schedules.fire(script.name)).rejects.toThrow("HTTP 404");
  }, 300_000);
});
