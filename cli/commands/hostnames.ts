import { hasFailed, isLive } from "../../platform/custom-hostname-view.ts";
import { api, type TenantHostnames } from "../api.ts";
import { type Command, stringsOf, WAIT_OPTION } from "../command.ts";
import { CliError, EXIT } from "../errors.ts";
import { formatHostnameState, formatHostnames } from "../hostnames-format.ts";
import { pollUntil } from "../poll.ts";

const settled = (tenant: TenantHostnames) => tenant.customHostnames.every((view) => isLive(view) || hasFailed(view));

const hostnames: Command = {
  name: "hostnames",
  args: ["<tenant>"],
  options: { ...WAIT_OPTION, check: { type: "string", multiple: true } },
  help: `  --check <hostname>       ask Cloudflare to validate it again now (records published late), repeatable
  --wait                   wait until every custom hostname is live (exit 4 if one fails or --timeout passes)`,
  async run(context, values, [id]) {
    const { connection, out } = context;
    for (const hostname of stringsOf(values, "check")) {
      out.note(formatHostnameState(await api.checkCustomHostname(connection, id as string, hostname)));
    }
    const first = await api.getTenantHostnames(connection, id as string);
    if (values.wait !== true) {
      out.result(first, () => formatHostnames(first.id, first.customHostnames));
      return;
    }
    // The latest answer, so that a wait that times out still prints where each hostname is.
    let latest = first;
    const read = async () => {
      latest = await api.getTenantHostnames(connection, first.id);
      return latest;
    };
    const onChange = (tenant: TenantHostnames) => {
      for (const view of tenant.customHostnames) out.note(formatHostnameState(view));
    };
    try {
      await pollUntil(first, read, settled, {
        ...context.poll,
        what: `tenant ${first.id}'s custom hostnames`,
        onChange,
      });
    } catch (error) {
      if (error instanceof CliError && error.code === "wait_timeout")
        throw new CliError(error.exitCode, error.code, error.message, { result: latest });
      throw error;
    }
    const failed = latest.customHostnames.filter(hasFailed);
    if (failed.length > 0) {
      const names = failed.map((view) => `${view.hostname} (${view.status}, certificate ${view.ssl.status})`);
      throw new CliError(EXIT.waitFailed, "hostname_failed", `not validated: ${names.join(", ")}`, { result: latest });
    }
    out.result(latest, () => formatHostnames(latest.id, latest.customHostnames));
  },
};

export const hostnameCommands: readonly Command[] = [hostnames];
