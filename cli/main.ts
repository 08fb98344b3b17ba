import { parseArgs } from "node:util";
import type { Command, Context, Values } from "./command.ts";
import { deployCommands } from "./commands/deploy.ts";
import { hostnameCommands } from "./commands/hostnames.ts";
import { logCommands } from "./commands/logs.ts";
import { rolloutCommands } from "./commands/rollouts.ts";
import { secretCommands } from "./commands/secrets.ts";
import { tenantCommands } from "./commands/tenants.ts";
import { versionCommands } from "./commands/versions.ts";
import { CliError, EXIT, usageError } from "./errors.ts";
import type { Connection } from "./http.ts";
import { createOutput } from "./output.ts";

/** `npm run dev`'s control plane and the token its local config accepts. */
export const LOCAL_URL = "http://127.0.0.1:8788";
export const LOCAL_TOKEN = "local-platform-token";
const DEFAULT_TIMEOUT_S = 300;
const DEFAULT_INTERVAL_MS = 1000;

const COMMANDS: readonly Command[] = [
  ...tenantCommands,
  ...hostnameCommands,
  ...secretCommands,
  ...deployCommands,
  ...versionCommands,
  ...rolloutCommands,
  ...logCommands,
];

const GLOBAL_OPTIONS = {
  url: { type: "string" },
  token: { type: "string" },
  json: { type: "boolean" },
  timeout: { type: "string" },
  interval: { type: "string" },
  help: { type: "boolean", short: "h" },
} as const;

const GLOBAL_HELP = `Options for every command:
  --url <url>              the control plane (env WFP_API_URL, default ${LOCAL_URL})
  --token <token>          its bearer token (env WFP_API_TOKEN, default ${LOCAL_TOKEN})
  --json                   print the result as JSON on stdout, and nothing else there
  --timeout <seconds>      how long --wait and rollout wait (default ${DEFAULT_TIMEOUT_S})
  --interval <ms>          how often they poll (default ${DEFAULT_INTERVAL_MS})
  -h, --help               this help

Exit codes: 0 ok, 1 the API refused (4xx), 2 usage, 3 control plane unreachable, 5xx or
off-contract answer, 4 --wait or rollout failed or timed out, 5 the Worker could not be bundled.`;

const synopsis = (command: Command) => `wfp ${[command.name, ...command.args].join(" ")} [options]`;

const USAGE = `Usage: wfp <command> [options]

${COMMANDS.map(synopsis).join("\n")}

${GLOBAL_HELP}`;

/** Runs one command line; answers the exit code (see errors.ts). */
export async function main(argv: readonly string[]): Promise<number> {
  const out = createOutput(argv.includes("--json"));
  try {
    await run(argv, out);
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof CliError)) {
      process.stderr.write(`wfp: unexpected error (a bug in wfp): ${(error as Error).stack ?? String(error)}\n`);
      return EXIT.bug;
    }
    if (out.json && error.result !== undefined) out.result(error.result, () => "");
    out.error(error);
    return error.exitCode;
  }
}

async function run(argv: readonly string[], out: ReturnType<typeof createOutput>): Promise<void> {
  if (argv.length === 0 || argv[0] === "help" || argv[0] === "--help" || argv[0] === "-h") {
    if (argv.length === 0) throw usageError(`a command is required\n\n${USAGE}`);
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const command = findCommand(argv);
  const rest = argv.slice(command.name.split(" ").length);
  const { values, positionals } = parseCommandLine(command, rest);
  if (values.help === true) {
    process.stdout.write(`Usage: ${synopsis(command)}\n\n${command.help ? `${command.help}\n\n` : ""}${GLOBAL_HELP}\n`);
    return;
  }
  // `[arg]`: optional, after the required ones.
  const optional = command.args.filter((arg) => arg.startsWith("[")).length;
  if (positionals.length < command.args.length - optional || positionals.length > command.args.length) {
    throw usageError(`expected ${command.args.join(" ") || "no arguments"}: ${synopsis(command)}`);
  }
  await command.run(contextOf(values, out), values, positionals);
}

function findCommand(argv: readonly string[]): Command {
  const command = COMMANDS.find((c) => c.name.split(" ").every((word, i) => argv[i] === word));
  if (command !== undefined) return command;
  const group = COMMANDS.filter((c) => c.name.startsWith(`${argv[0]} `));
  if (group.length > 0) {
    throw usageError(`unknown command "${argv.slice(0, 2).join(" ")}": ${group.map((c) => c.name).join(", ")}`);
  }
  throw usageError(`unknown command "${argv[0]}"\n\n${USAGE}`);
}

function parseCommandLine(command: Command, args: string[]): { values: Values; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args,
      options: { ...GLOBAL_OPTIONS, ...command.options },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Values, positionals };
  } catch (error) {
    // parseArgs' messages name the flag; they never quote a value.
    throw usageError(`${(error as Error).message.split("\n")[0]} (see wfp ${command.name} --help)`);
  }
}

function contextOf(values: Values, out: ReturnType<typeof createOutput>): Context {
  const rawUrl = (values.url as string | undefined) ?? process.env.WFP_API_URL ?? LOCAL_URL;
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw usageError(`--url (or WFP_API_URL) is not a URL: "${rawUrl}"`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw usageError(`--url must be http or https: "${rawUrl}"`);
  const token = (values.token as string | undefined) ?? process.env.WFP_API_TOKEN ?? LOCAL_TOKEN;
  const connection: Connection = { url, token };
  const timeoutS = positiveNumber(values.timeout, "timeout", DEFAULT_TIMEOUT_S);
  const intervalMs = positiveNumber(values.interval, "interval", DEFAULT_INTERVAL_MS);
  return { connection, out, poll: { timeoutMs: timeoutS * 1000, intervalMs } };
}

function positiveNumber(raw: unknown, name: string, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw usageError(`--${name} must be a positive number, got "${raw}"`);
  return value;
}
