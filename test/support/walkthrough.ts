import { spawn, spawnSync } from "node:child_process";

/**
 * The shell commands of a Markdown section, as a reader would type them, each
 * with the output the document shows for it. The section lies between
 * `<!-- walkthrough:start -->` and `<!-- walkthrough:end -->`; every code
 * block in it is ```sh. A command may span lines (a trailing `\`, an open
 * quote or loop); `# → text` lines after it are what it prints on stdout, `…`
 * standing for anything; other `#` lines are comments.
 */
export type WalkthroughCommand = {
  /** 1-based line of the Markdown file where the command starts. */
  readonly line: number;
  readonly command: string;
  /** The `# →` lines after it, joined by newlines; null when the document shows no output. */
  readonly expected: string | null;
};

const START = "<!-- walkthrough:start -->";
const END = "<!-- walkthrough:end -->";
const FENCE = /^```(\S*)\s*$/;
const EXPECTATION = /^# →(?: (.*))?$/;
const SHELL_LANGUAGES = new Set(["sh", "bash", "shell"]);

type Line = { number: number; text: string };

/** The section's lines between its two markers, each with its line number in the file. */
function sectionLines(markdown: string): Line[] {
  const lines = markdown.split("\n").map((text, i) => ({ number: i + 1, text }));
  const starts = lines.filter((l) => l.text.trim() === START);
  const ends = lines.filter((l) => l.text.trim() === END);
  if (starts.length !== 1 || ends.length !== 1) {
    throw new Error(`expected one ${START} and one ${END}, found ${starts.length} and ${ends.length}`);
  }
  const [start, end] = [starts[0] as Line, ends[0] as Line];
  if (end.number < start.number) throw new Error(`${END} (line ${end.number}) comes before ${START}`);
  return lines.slice(start.number, end.number - 1);
}

/** The section's code blocks, in order; any other language than sh is refused, so no command escapes the test. */
function shellBlocks(lines: Line[]): Line[][] {
  const blocks: Line[][] = [];
  let open: Line[] | null = null;
  for (const line of lines) {
    const fence = FENCE.exec(line.text);
    if (open === null && fence !== null) {
      if (!SHELL_LANGUAGES.has(fence[1] ?? "")) {
        throw new Error(`line ${line.number}: the walkthrough's code blocks must be \`\`\`sh, not "${line.text}"`);
      }
      open = [];
    } else if (open !== null && fence !== null) {
      blocks.push(open);
      open = null;
    } else if (open !== null) {
      open.push(line);
    }
  }
  if (open !== null) throw new Error("the walkthrough ends inside a code block");
  return blocks;
}

/** Whether bash would run `text` as it is, rather than wait for more lines (a continuation, an open quote or loop). */
function isComplete(text: string): boolean {
  if (text.endsWith("\\")) return false;
  return spawnSync("bash", ["-n"], { input: text }).status === 0;
}

function commandsOf(block: Line[]): WalkthroughCommand[] {
  const commands: { line: number; command: string; expected: string[] }[] = [];
  let pending: { line: number; text: string[] } | null = null;
  for (const { number, text } of block) {
    if (pending !== null) {
      pending.text.push(text);
    } else {
      const expectation = EXPECTATION.exec(text);
      if (expectation !== null) {
        const last = commands.at(-1);
        if (last === undefined) throw new Error(`line ${number}: "# →" with no command before it in its block`);
        last.expected.push(expectation[1] ?? "");
        continue;
      }
      if (text.trim() === "" || text.trimStart().startsWith("#")) continue;
      pending = { line: number, text: [text] };
    }
    const command = pending.text.join("\n");
    if (isComplete(command)) {
      commands.push({ line: pending.line, command, expected: [] });
      pending = null;
    }
  }
  if (pending !== null) throw new Error(`line ${pending.line}: the command does not end within its block`);
  return commands.map(({ line, command, expected }) => ({
    line,
    command,
    expected: expected.length === 0 ? null : expected.join("\n"),
  }));
}

export function extractWalkthrough(markdown: string): WalkthroughCommand[] {
  return shellBlocks(sectionLines(markdown)).flatMap(commandsOf);
}

/** Output as compared: runs of whitespace (column padding, line breaks) count as one space. */
export const normalizeOutput = (text: string): string => text.replace(/\s+/g, " ").trim();

/** The whole normalized stdout must match `expected`, in which `…` stands for anything (a glob). */
export function expectedPattern(expected: string): RegExp {
  const parts = expected.split("…").map((part) => normalizeOutput(part).replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(".*")}$`, "s");
}

export type CommandRun = { code: number | null; stdout: string; stderr: string; timedOut: boolean };

/**
 * Runs one command with bash, strictly (`set -euo pipefail`), in a process
 * group of its own so that a command that outlives `timeoutMs` is killed with
 * everything it started (npx, node, wrangler).
 */
export function runCommand(
  command: string,
  options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<CommandRun> {
  const child = spawn("bash", ["-c", `set -euo pipefail\n${command}`], {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      if (child.pid !== undefined) process.kill(-child.pid, "SIGKILL");
    } catch {
      // already gone
    }
  }, options.timeoutMs);
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
  });
}
