import type { PlanName } from "../../platform/plans.ts";
import type { ScriptSource } from "../../platform/tenants-api.ts";
import { api } from "../api.ts";
import { canaryOf } from "../canary-option.ts";
import { type Command, type Context, required, stringOf, stringsOf, WAIT_OPTION } from "../command.ts";
import { followRollout } from "../follow-rollout.ts";
import { formatRollout } from "../rollout-format.ts";
import { settle } from "./settle.ts";

// bundle.ts loads wrangler, which takes a while: only the commands that bundle import it.
const bundle = async (dir: string) => (await import("../bundle.ts")).bundleWorker(dir);
const assetsModule = () => import("../assets.ts");

const deploy: Command = {
  name: "deploy",
  args: ["<dir>"],
  options: {
    tenant: { type: "string" },
    "no-deploy": { type: "boolean" },
    message: { type: "string" },
    ...WAIT_OPTION,
  },
  help: `  Bundles the Worker in <dir> (its wrangler config, its migrations/*.sql) and uploads it as a new
  version of the tenant's Worker, deployed to all its traffic, with the config's [assets] directory
  (only the files the platform lacks are sent; no [assets]: the version has none).
  --tenant <id>            required: the tenant whose Worker it becomes
  --no-deploy              upload the version without sending it traffic: it answers at its preview
                           URL (wfp versions) until deployed (wfp deployments, wfp rollback)
  --message <text>         why (noted with the version)
  --wait                   wait until it is deployed (or uploaded)`,
  async run(context, values, [dir]) {
    const tenant = required(values, "tenant");
    const message = stringOf(values, "message");
    // Everything is read from disk and checked before the first request: assets first, so that
    // their limits are told as the platform's, not as wrangler's bundling may word them.
    const { readAssets, sendAssets } = await assetsModule();
    const local = await readAssets(dir as string);
    const bundled = await bundle(dir as string);
    context.out.note(`bundled ${Object.keys(bundled.modules).length} module(s) from ${dir}`);
    const deploying = values["no-deploy"] !== true;
    const crons = await cronsToSend(context, dir as string, deploying);
    const script = await withTenantsDeletions(context, tenant, bundled);
    // As `wrangler deploy`: a config without [assets] makes a version without any.
    const assets = local === undefined ? null : await sendAssets(context, local);
    const accepted = await api.putScript(
      context.connection,
      tenant,
      {
        ...script,
        assets,
        ...(crons === undefined ? {} : { crons }),
        ...(message === undefined ? {} : { message }),
      },
      { deploy: deploying },
    );
    await settle(context, values, accepted);
  },
};

/**
 * The config's `[triggers] crons`, sent with a deploy (none in the config: the tenant's stay).
 * Not with `--no-deploy`: cron triggers run the deployed version, so the control plane takes
 * them only with a deploy (as `wrangler versions upload` leaves triggers alone).
 */
async function cronsToSend(context: Context, dir: string, deploying: boolean): Promise<string[] | undefined> {
  const crons = (await import("../crons.ts")).cronsOf(dir);
  if (crons === undefined || deploying) return crons;
  context.out.note("cron triggers are not sent with --no-deploy: they run the deployed version (wfp deploy sets them)");
  return undefined;
}

/**
 * The Durable Object classes the config deletes that the tenant has: the
 * control plane refuses a deletion of one it does not have, and a wrangler
 * config keeps every migration it ever had. Asks for the tenant only when the
 * config deletes any. (A rollout sends them all: each tenant deletes those it has.)
 */
async function withTenantsDeletions(context: Context, tenant: string, script: ScriptSource) {
  const deleting = script.deletedDurableObjectClasses ?? [];
  if (deleting.length === 0) return script;
  const current = await api.getTenant(context.connection, tenant);
  const classes = current.script?.durableObjects.classes ?? [];
  const { deletionsFor } = await import("../bundle.ts");
  const kept = deletionsFor(script, classes);
  const skipped = deleting.filter((name) => !classes.includes(name));
  if (skipped.length > 0) context.out.note(`not deleting ${skipped.join(", ")}: tenant ${tenant} has no such class`);
  for (const name of kept.deletedDurableObjectClasses ?? []) {
    context.out.note(`deleting the Durable Object class ${name} of tenant ${tenant}, with all its objects' data`);
  }
  return kept;
}

const rollout: Command = {
  name: "rollout",
  args: ["<dir>"],
  options: {
    plan: { type: "string" },
    tenant: { type: "string", multiple: true },
    canary: { type: "string" },
    "auto-resume": { type: "boolean" },
    detach: { type: "boolean" },
  },
  help: `  Bundles the Worker in <dir> and deploys it to every tenant (or those selected), a canary batch
  first, showing progress; ends when the rollout pauses after its canary or is over.
  --plan <plan>            only the tenants on this plan
  --tenant <id>            only these tenants (repeat)
  --canary <n|p%>          the canary batch: n tenants (0: none) or p% of them (default 10%)
  --auto-resume            go on after the canary by itself if its error rate did not rise
  --detach                 start the rollout and print it, without following it`,
  async run(context, values, [dir]) {
    const { out } = context;
    const tenants = stringsOf(values, "tenant");
    const plan = stringOf(values, "plan");
    const canary = canaryOf(stringOf(values, "canary"));
    const script = await bundle(dir as string);
    if ((await import("../assets-config.ts")).assetsSectionOf(dir as string) !== undefined) {
      out.note("[assets] are not sent with a rollout: each tenant keeps its own (wfp deploy sends them)");
    }
    const filter = {
      ...(plan === undefined ? {} : { plan: plan as PlanName }),
      ...(tenants.length > 0 ? { tenants } : {}),
    };
    const started = await api.createRollout(context.connection, {
      script,
      filter,
      ...(canary === undefined ? {} : { canary }),
      ...(values["auto-resume"] === true ? { autoResume: true } : {}),
    });
    if (values.detach === true) {
      out.result(started, () => formatRollout(started));
      return;
    }
    await followRollout(context, started);
  },
};

export const deployCommands: readonly Command[] = [deploy, rollout];
