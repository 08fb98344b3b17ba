import { api } from "../api.ts";
import { type Command, WAIT_OPTION } from "../command.ts";
import { readSecretFromStdin } from "../stdin.ts";
import { settle } from "./settle.ts";

const put: Command = {
  name: "secrets put",
  args: ["<tenant>", "<NAME>"],
  options: { ...WAIT_OPTION },
  help: `  The value is read from stdin (piped, or typed without echo): never from the command line.
  --wait                   wait until the Worker has it`,
  async run(context, values, [tenant, name]) {
    const value = await readSecretFromStdin(name as string);
    const accepted = await api.putSecret(context.connection, tenant as string, name as string, { value });
    await settle(context, values, accepted);
  },
};

const remove: Command = {
  name: "secrets delete",
  args: ["<tenant>", "<NAME>"],
  options: { ...WAIT_OPTION },
  help: "  --wait                   wait until the Worker no longer has it",
  async run(context, values, [tenant, name]) {
    const accepted = await api.deleteSecret(context.connection, tenant as string, name as string);
    await settle(context, values, accepted);
  },
};

export const secretCommands: readonly Command[] = [put, remove];
