import type { CreateTenantRequest, TenantList, UpdateTenantRequest } from "../../platform/tenants-api.ts";
import { api } from "../api.ts";
import { type Command, keyValues, required, stringOf, stringsOf, WAIT_OPTION } from "../command.ts";
import { usageError } from "../errors.ts";
import { formatTenant, formatTenantList } from "../output.ts";
import { readSecretFromStdin } from "../stdin.ts";
import { settle } from "./settle.ts";

const create: Command = {
  name: "tenants create",
  args: ["<id>"],
  options: {
    plan: { type: "string" },
    hostname: { type: "string", multiple: true },
    var: { type: "string", multiple: true },
    secret: { type: "string", multiple: true },
    deploy: { type: "string" },
    "no-kv": { type: "boolean" },
    "no-r2": { type: "boolean" },
    "no-d1": { type: "boolean" },
    ...WAIT_OPTION,
  },
  help: `  --plan <plan>            required: the tenant's plan
  --hostname <host>        a custom hostname (repeat for more)
  --var NAME=VALUE         a plain-text var (repeat for more)
  --secret NAME=VALUE      a secret (repeat for more)
  --secret NAME            a secret whose value is read from stdin (one at most)
  --deploy <dir>           bundle the Worker in <dir> and deploy it with the tenant (and its [assets])
  --no-kv, --no-r2, --no-d1  do not create that resource
  --wait                   wait until the tenant is provisioned`,
  async run(context, values, [id]) {
    const body: Partial<Record<keyof CreateTenantRequest, unknown>> = { id, plan: required(values, "plan") };
    const hostnames = stringsOf(values, "hostname");
    if (hostnames.length > 0) body.hostnames = hostnames;
    const vars = keyValues(values, "var");
    if (vars !== undefined) body.vars = vars;
    const secrets = await secretsOf(stringsOf(values, "secret"));
    if (secrets !== undefined) body.secrets = secrets;
    if (values["no-kv"] === true || values["no-r2"] === true || values["no-d1"] === true) {
      body.resources = { kv: values["no-kv"] !== true, r2: values["no-r2"] !== true, d1: values["no-d1"] !== true };
    }
    const dir = stringOf(values, "deploy");
    if (dir !== undefined) {
      const { bundleWorker, deletionsFor } = await import("../bundle.ts");
      // A new tenant has no Durable Object class to delete: the config's deleted_classes are its history.
      const crons = (await import("../crons.ts")).cronsOf(dir);
      const { readAssets, sendAssets } = await import("../assets.ts");
      const script = deletionsFor(await bundleWorker(dir), []);
      const local = await readAssets(dir);
      const assets = local === undefined ? undefined : await sendAssets(context, local);
      body.script = {
        ...script,
        ...(crons === undefined ? {} : { crons }),
        ...(assets === undefined ? {} : { assets }),
      };
    }
    // The control plane judges the body (same schema): its 400 names every field it refuses.
    const accepted = await api.createTenant(context.connection, body as CreateTenantRequest);
    await settle(context, values, accepted);
  },
};

/**
 * `--secret NAME=VALUE` or `--secret NAME` (value from stdin). Nothing here
 * quotes an argument back: it may be a secret's value.
 */
async function secretsOf(args: readonly string[]): Promise<Record<string, string> | undefined> {
  if (args.length === 0) return undefined;
  const fromStdin = args.filter((arg) => !arg.includes("="));
  if (fromStdin.length > 1) throw usageError("only one --secret NAME can read its value from stdin");
  const secrets: Record<string, string> = {};
  for (const arg of args) {
    const at = arg.indexOf("=");
    if (at === 0 || arg.length === 0)
      throw usageError("--secret expects NAME=VALUE, or NAME to read the value from stdin");
    if (at > 0) secrets[arg.slice(0, at)] = arg.slice(at + 1);
    else secrets[arg] = await readSecretFromStdin(arg);
  }
  return secrets;
}

const list: Command = {
  name: "tenants list",
  args: [],
  options: {
    state: { type: "string" },
    plan: { type: "string" },
    limit: { type: "string" },
    cursor: { type: "string" },
    all: { type: "boolean" },
  },
  help: `  --state <state>          only tenants in this state
  --plan <plan>            only tenants on this plan
  --limit <n>              tenants per page (1 to 100, default 20)
  --cursor <cursor>        the page after the one that answered this cursor
  --all                    every page`,
  async run(context, values) {
    const query = {
      state: stringOf(values, "state"),
      plan: stringOf(values, "plan"),
      limit: stringOf(values, "limit"),
      cursor: stringOf(values, "cursor"),
    };
    let page = await api.listTenants(context.connection, query);
    const all: TenantList = { tenants: [...page.tenants], cursor: page.cursor };
    while (values.all === true && page.cursor !== null) {
      page = await api.listTenants(context.connection, { ...query, cursor: page.cursor });
      all.tenants.push(...page.tenants);
      all.cursor = page.cursor;
    }
    context.out.result(all, () => formatTenantList(all));
    if (all.cursor !== null) context.out.note(`more tenants: --cursor ${all.cursor} (or --all)`);
  },
};

const get: Command = {
  name: "tenants get",
  args: ["<id>"],
  options: {},
  help: "",
  async run(context, _values, [id]) {
    const tenant = await api.getTenant(context.connection, id as string);
    context.out.result(tenant, () => formatTenant(tenant));
  },
};

const update: Command = {
  name: "tenants update",
  args: ["<id>"],
  options: {
    plan: { type: "string" },
    hostname: { type: "string", multiple: true },
    var: { type: "string", multiple: true },
    suspend: { type: "boolean" },
    resume: { type: "boolean" },
    ...WAIT_OPTION,
  },
  help: `  --plan <plan>            move the tenant to this plan
  --hostname <host>        its custom hostnames: the list replaces the current one (repeat)
  --var NAME=VALUE         its vars: the set replaces the current one (repeat)
  --suspend | --resume     stop or restart serving the tenant
  --wait                   wait until the change is applied`,
  async run(context, values, [id]) {
    if (values.suspend === true && values.resume === true)
      throw usageError("--suspend and --resume exclude each other");
    const body: UpdateTenantRequest = {};
    const plan = stringOf(values, "plan");
    if (plan !== undefined) body.plan = plan as UpdateTenantRequest["plan"];
    const hostnames = stringsOf(values, "hostname");
    if (hostnames.length > 0) body.hostnames = hostnames as UpdateTenantRequest["hostnames"];
    const vars = keyValues(values, "var");
    if (vars !== undefined) body.vars = vars;
    if (values.suspend === true) body.suspended = true;
    if (values.resume === true) body.suspended = false;
    if (Object.keys(body).length === 0)
      throw usageError("nothing to change: pass --plan, --hostname, --var, --suspend or --resume");
    const accepted = await api.updateTenant(context.connection, id as string, body);
    await settle(context, values, accepted);
  },
};

const remove: Command = {
  name: "tenants delete",
  args: ["<id>"],
  options: { ...WAIT_OPTION },
  help: "  --wait                   wait until the tenant and its resources are gone",
  async run(context, values, [id]) {
    const accepted = await api.deleteTenant(context.connection, id as string);
    await settle(context, values, accepted, true);
  },
};

export const tenantCommands: readonly Command[] = [create, list, get, update, remove];
