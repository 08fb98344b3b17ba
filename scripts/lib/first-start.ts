import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { unstable_readConfig } from "wrangler";
import { CONTROL_PLANE } from "./platform.ts";
import { offlineWranglerEnv, REPO_ROOT, WRANGLER_BIN } from "./wrangler-dev.ts";

const run = promisify(execFile);

/** The tenant `npm run dev` onboards from the template, so that http://demo.localhost:8787/ answers at once. */
export const DEMO_TENANT = {
  id: "demo",
  plan: "pro",
  template: path.join(REPO_ROOT, "user-worker-template"),
  greeting: "Hello from the demo tenant",
  /** The template's admin route and its writes (/kv, /files, /notes) want this secret; a local, throw-away value. */
  adminToken: "demo-admin-token",
} as const;

/**
 * Brings the control plane's registry (D1) up to its migrations before it
 * starts, as `wrangler d1 migrations apply` does for a deploy: the control
 * plane itself never changes its schema.
 */
export async function applyControlPlaneMigrations(persistTo: string): Promise<void> {
  const args = [WRANGLER_BIN, "d1", "migrations", "apply", "DB", "--local", "--config", CONTROL_PLANE.configPath];
  try {
    await run(process.execPath, [...args, "--persist-to", persistTo], {
      cwd: REPO_ROOT,
      env: offlineWranglerEnv({ CI: "1" }),
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`could not apply the control plane's D1 migrations:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}

/** The account and namespace the control plane deploys to, from its local config. */
function controlPlaneTarget(): { accountId: string; namespace: string } {
  const vars = unstable_readConfig({ config: CONTROL_PLANE.configPath }).vars as Record<string, string>;
  return { accountId: String(vars.CLOUDFLARE_ACCOUNT_ID), namespace: String(vars.DISPATCH_NAMESPACE) };
}

/** Creates the dispatch namespace in the emulator (as `wrangler dispatch-namespace create` does in production), unless it exists. */
export async function ensureDispatchNamespace(emulatorUrl: string, token: string): Promise<void> {
  const { accountId, namespace } = controlPlaneTarget();
  const response = await fetch(`${emulatorUrl}/client/v4/accounts/${accountId}/workers/dispatch/namespaces`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ name: namespace }),
  });
  if (!response.ok && response.status !== 409) {
    throw new Error(`creating the dispatch namespace ${namespace}: HTTP ${response.status} ${await response.text()}`);
  }
}

/**
 * Onboards the demo tenant from the template through the CLI (which bundles
 * it and calls the control plane), unless it is there from an earlier run.
 * Returns whether it was created now.
 */
export async function ensureDemoTenant(controlPlaneUrl: string, platformToken: string): Promise<boolean> {
  const cli = path.join(REPO_ROOT, "cli", "wfp.ts");
  const env = { ...offlineWranglerEnv(), WFP_API_URL: controlPlaneUrl, WFP_API_TOKEN: platformToken };
  const options = { cwd: REPO_ROOT, env, timeout: 180_000 };
  try {
    const { stdout } = await run(process.execPath, [cli, "tenants", "get", DEMO_TENANT.id, "--json"], options);
    const state = (JSON.parse(stdout) as { state: string }).state;
    if (state !== "deleted") return false;
  } catch (error) {
    // Exit 1 is the API's answer (here: no such tenant); anything else is a real failure.
    if ((error as { code?: number }).code !== 1)
      throw new Error(`asking the control plane for the demo tenant: ${describe(error)}`);
  }
  try {
    await run(
      process.execPath,
      [
        cli,
        "tenants",
        "create",
        DEMO_TENANT.id,
        "--plan",
        DEMO_TENANT.plan,
        "--deploy",
        DEMO_TENANT.template,
        "--var",
        `GREETING=${DEMO_TENANT.greeting}`,
        "--secret",
        `API_TOKEN=${DEMO_TENANT.adminToken}`,
        "--wait",
      ],
      options,
    );
  } catch (error) {
    throw new Error(`onboarding the demo tenant: ${describe(error)}`);
  }
  return true;
}

function describe(error: unknown): string {
  const { stdout, stderr, message } = error as { stdout?: string; stderr?: string; message?: string };
  return [message, stdout, stderr].filter((part) => part !== undefined && part !== "").join("\n");
}
