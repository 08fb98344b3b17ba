import type { VersionList } from "../../platform/tenants-api.ts";
import { api } from "../api.ts";
import { type Command, stringOf, WAIT_OPTION } from "../command.ts";
import { usageError } from "../errors.ts";
import { formatTable } from "../output.ts";
import { resolveVersion } from "../version-ids.ts";
import { settle } from "./settle.ts";

/** Flags of every command that deploys versions. */
const DEPLOYING_OPTIONS = {
  force: { type: "boolean" },
  message: { type: "string" },
  ...WAIT_OPTION,
} as const;
const DEPLOYING_HELP = `  --force                  deploy even if the version's secrets differ from the latest version's
  --message <text>         why (noted with the deployment)
  --wait                   wait until it is deployed`;

function formatVersions(list: VersionList): string {
  if (list.versions.length === 0) return "no versions";
  return formatTable([
    ["ID", "NUMBER", "CREATED", "PERCENT", "PREVIEW", "MESSAGE"],
    ...list.versions.map((version) => [
      version.id.slice(0, 8),
      String(version.number),
      version.createdAt,
      `${version.percentage}%`,
      version.previewUrl ?? "-",
      version.message,
    ]),
  ]);
}

const versions: Command = {
  name: "versions",
  args: ["<tenant>"],
  options: { limit: { type: "string" }, cursor: { type: "string" } },
  help: `  The tenant's versions, newest first: id (its first 8 hex digits), number, when, its share of
  the traffic, its preview URL (while it is deployed) and its message.
  --limit <n>              versions per page (1 to 100, default 20)
  --cursor <cursor>        the page after the one that answered this cursor`,
  async run(context, values, [tenant]) {
    const list = await api.listVersions(context.connection, tenant as string, {
      limit: stringOf(values, "limit"),
      cursor: stringOf(values, "cursor"),
    });
    context.out.result(list, () => formatVersions(list));
    if (list.cursor !== null) context.out.note(`older versions: --cursor ${list.cursor}`);
  },
};

const rollback: Command = {
  name: "rollback",
  args: ["<tenant>", "[version]"],
  options: DEPLOYING_OPTIONS,
  help: `  Deploys [version] (its id or first 8 hex digits) to all the tenant's traffic; without it, the
  version that had all the traffic before (during a split: the one from before the split). The
  tenant's data is not touched.
${DEPLOYING_HELP}`,
  async run(context, values, [tenant, version]) {
    const id = tenant as string;
    const versionId = version === undefined ? undefined : await resolveVersion(context, id, version);
    const message = stringOf(values, "message");
    const accepted = await api.rollback(context.connection, id, {
      ...(versionId === undefined ? {} : { versionId }),
      ...(message === undefined ? {} : { message }),
      force: values.force === true,
    });
    await settle(context, values, accepted);
  },
};

/** `<version>=<percent>`: a version and its share. */
function shareOf(argument: string): { version: string; percentage: number } {
  const match = /^([^=]+)=(\d{1,3})%?$/.exec(argument);
  if (match === null) throw usageError(`expected <version>=<percent>, got "${argument}"`);
  return { version: match[1] as string, percentage: Number(match[2]) };
}

const deployments: Command = {
  name: "deployments",
  args: ["<tenant>", "<version>=<percent>", "[<version>=<percent>]"],
  options: DEPLOYING_OPTIONS,
  help: `  Sends the tenant's traffic to one or two of its versions (id or first 8 hex digits), by percent
  summing to 100: wfp deployments acme 1a2b3c4d=90 5e6f7a8b=10. While two share it, each client
  stays on one.
${DEPLOYING_HELP}`,
  async run(context, values, [tenant, ...shares]) {
    const id = tenant as string;
    const versions = [];
    for (const share of shares.map(shareOf)) {
      versions.push({ id: await resolveVersion(context, id, share.version), percentage: share.percentage });
    }
    const message = stringOf(values, "message");
    const accepted = await api.createDeployment(context.connection, id, {
      versions,
      ...(message === undefined ? {} : { message }),
      force: values.force === true,
    });
    await settle(context, values, accepted);
  },
};

export const versionCommands: readonly Command[] = [versions, rollback, deployments];
