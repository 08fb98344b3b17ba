import path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ErrorBody, RolloutView } from "../../platform/tenants-api.ts";
import { REPO_ROOT } from "../../scripts/lib/wrangler-dev.ts";
import { type FakeControlPlane, startFakeControlPlane } from "./support/fake-control-plane.ts";
import { explain, runCli } from "./support/run-cli.ts";

// Staged rollouts with the real `wfp` process against the contract-keeping stand-in
// (support/fake-rollouts.ts: the canary is the first tenants in id order, one tenant per read).
let fake: FakeControlPlane;
const TEMPLATE_DIR = path.join(REPO_ROOT, "user-worker-template");

beforeAll(async () => {
  fake = await startFakeControlPlane();
});
afterAll(async () => {
  await fake?.close();
});
beforeEach(() => fake.reset());

const wfp = (args: readonly string[]) =>
  runCli([...args, "--interval", "10"], { env: { WFP_API_URL: fake.url, WFP_API_TOKEN: fake.token } });

/** Creates the tenants; `fail-` ones (whose operations fail in the stand-in) without waiting. */
async function createTenants(...ids: string[]): Promise<void> {
  for (const id of ids) {
    const wait = id.startsWith("fail-") ? [] : ["--wait"];
    const run = await wfp(["tenants", "create", id, "--plan", "free", ...wait]);
    expect(run.code, explain(run)).toBe(0);
  }
}

describe("wfp rollout, staged", () => {
  it("sends --canary and --auto-resume, follows the canary, and stops at the pause saying how to go on", async () => {
    await createTenants("s-a", "s-b", "s-c", "s-d");
    const run = await wfp(["rollout", TEMPLATE_DIR, "--canary", "50%"]);
    expect(run.code, explain(run)).toBe(0);
    expect(fake.requests.find((r) => r.path === "/v1/rollouts")?.body).toMatchObject({ canary: { percent: 50 } });
    expect(run.stdout).toBe(
      [
        "rollout ro-1 paused (canary): 2 succeeded, 0 failed, 2 pending of 4",
        "  canary     2 tenant(s), 2 succeeded, 0 failed, 0 pending: s-a, s-b",
        "  paused     awaiting_resume: the canary is deployed (awaiting_resume)",
        "",
      ].join("\n"),
    );
    // Progress on stderr, one line per change, the canary phase named.
    expect(run.stderr.split("\n").filter((line) => line.startsWith("rollout ro-1"))).toEqual([
      "rollout ro-1 running (canary): 0 succeeded, 0 failed, 4 pending of 4",
      "rollout ro-1 running (canary): 1 succeeded, 0 failed, 3 pending of 4",
      "rollout ro-1 paused (canary): 2 succeeded, 0 failed, 2 pending of 4",
    ]);
    expect(run.stderr).toContain(
      "paused: `wfp rollouts resume ro-1` deploys the rest, `wfp rollouts rollback ro-1` undoes the canary",
    );

    const resumed = await wfp(["rollouts", "resume", "ro-1"]);
    expect(resumed.code, explain(resumed)).toBe(0);
    expect(fake.requests.find((r) => r.method === "POST" && r.path === "/v1/rollouts/ro-1/resume")?.body).toEqual({});
    expect(resumed.stdout).toMatch(/^rollout ro-1 completed: 4 succeeded, 0 failed, 0 pending of 4\n/);

    const rolledBack = await wfp(["rollouts", "rollback", "ro-1", "--json"]);
    expect(rolledBack.code, explain(rolledBack)).toBe(0);
    expect(fake.requests.some((r) => r.method === "POST" && r.path === "/v1/rollouts/ro-1/rollback")).toBe(true);
    const final = RolloutView.parse(JSON.parse(rolledBack.stdout));
    expect(final).toMatchObject({
      state: "rolled_back",
      rollback: { succeeded: 4, failed: 0, pending: 0, skipped: 0 },
    });

    const shown = await wfp(["rollouts", "get", "ro-1"]);
    expect(shown.code, explain(shown)).toBe(0);
    expect(shown.stdout).toContain("rollout ro-1 rolled_back:");
    expect(shown.stdout).toContain("  rollback   4 succeeded, 0 failed, 0 pending, 0 skipped (never reached)");
  });

  it("with --auto-resume follows through the observation to the end, showing the verdict", async () => {
    await createTenants("a-a", "a-b", "a-c");
    const run = await wfp(["rollout", TEMPLATE_DIR, "--canary", "1", "--auto-resume"]);
    expect(run.code, explain(run)).toBe(0);
    expect(fake.requests.find((r) => r.path === "/v1/rollouts")?.body).toMatchObject({
      canary: { tenants: 1 },
      autoResume: true,
    });
    expect(run.stdout).toContain("rollout ro-1 completed: 3 succeeded, 0 failed, 0 pending of 3");
    expect(run.stdout).toContain(
      "  error rate before 0.00% (0 errors in 10 requests), after 0.00% (0 errors in 10 requests), tolerance 1.00%: healthy",
    );
  });

  it("exits 4 when a canary deploy fails, the rollout paused with its failures", async () => {
    await createTenants("fail-1", "ok-2", "ok-3");
    const run = await wfp(["rollout", TEMPLATE_DIR, "--canary", "1", "--json"]);
    expect(run.code, explain(run)).toBe(4);
    expect(RolloutView.parse(JSON.parse(run.stdout))).toMatchObject({
      state: "paused",
      paused: { reason: "canary_failed" },
      failures: [{ tenantId: "fail-1" }],
    });
    expect(JSON.parse(run.stderr).error.code).toBe("rollout_failed");
  });

  it("a resume the control plane refuses exits 1 with its 409; a bad --canary is a usage error", async () => {
    await createTenants("r-a", "r-b");
    expect((await wfp(["rollout", TEMPLATE_DIR, "--canary", "0", "--detach"])).code).toBe(0);
    const refused = await wfp(["rollouts", "resume", "ro-1", "--json"]);
    expect(refused.code, explain(refused)).toBe(1);
    const error = ErrorBody.parse(JSON.parse(refused.stderr)).error;
    expect(error).toMatchObject({ code: "conflict", message: expect.stringContaining("only a paused rollout") });

    const missing = await wfp(["rollouts", "rollback", "ro-9"]);
    expect(missing.code, explain(missing)).toBe(1);
    expect(missing.stderr).toContain('no rollout "ro-9"');

    for (const bad of ["ten", "5.5", "%", "10%%"]) {
      const run = await wfp(["rollout", TEMPLATE_DIR, "--canary", bad]);
      expect(run.code, explain(run)).toBe(2);
      expect(run.stderr).toContain("--canary expects");
    }
    expect(fake.requests.filter((r) => r.path === "/v1/rollouts")).toHaveLength(1);
  });
});
