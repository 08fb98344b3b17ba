import { usageError } from "./errors.ts";

/**
 * A secret's value from stdin: piped (`printf %s "$TOKEN" | wfp secrets put
 * acme TOKEN`), the whole input less one trailing newline; typed at a
 * terminal, one line, not echoed. Never from the command line, where `ps`
 * and shell history would show it.
 */
export async function readSecretFromStdin(name: string): Promise<string> {
  const value = process.stdin.isTTY ? await readHiddenLine(`value of ${name}: `) : await readAll();
  if (value.length === 0) throw usageError(`the value of ${name} read from stdin is empty`);
  return value;
}

async function readAll(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

function readHiddenLine(prompt: string): Promise<string> {
  const { stdin, stderr } = process;
  stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.setEncoding("utf8");
  return new Promise((resolve) => {
    let line = "";
    const onData = (keys: string) => {
      for (const key of keys) {
        if (key === "\u0003") {
          // Ctrl-C: raw mode swallows the signal, so act on it here.
          stdin.setRawMode(false);
          stderr.write("\n");
          process.exit(130);
        }
        if (key === "\r" || key === "\n") {
          stdin.setRawMode(false);
          stdin.off("data", onData);
          stdin.pause();
          stderr.write("\n");
          resolve(line);
          return;
        }
        line = key === "\u007f" ? line.slice(0, -1) : line + key;
      }
    };
    stdin.on("data", onData);
  });
}
