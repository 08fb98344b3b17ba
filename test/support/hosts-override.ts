import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

/**
 * Running a process tree with an /etc/hosts of its own, so a test can give a
 * public-looking name (`127.0.0.1.nip.io`, `api.example.com`) an address on
 * this machine, as DNS or a hosts file does on a connected machine, without
 * touching the machine's file. Linux only: a private mount namespace
 * (`unshare --mount`; as another user than root, with a user namespace too)
 * in which the file is bind-mounted over /etc/hosts. Nothing outside the
 * tree sees it.
 */

/** The machine's hosts file with `extra` appended. */
export function hostsWith(extra: Record<string, string>): string {
  const lines = Object.entries(extra).map(([name, address]) => `${address} ${name}`);
  return `${readFileSync("/etc/hosts", "utf8").trimEnd()}\n${lines.join("\n")}\n`;
}

/** The command prefix that runs a command with `hostsFile` as its /etc/hosts. */
export function withHostsFile(hostsFile: string): string[] {
  const unshare = process.getuid?.() === 0 ? ["unshare", "--mount"] : ["unshare", "--mount", "--map-root-user"];
  // "$0" is the hosts file, "$@" the command; exec keeps the process (and its group) the same.
  return [...unshare, "sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"', hostsFile];
}

/**
 * Why this machine cannot run a process with its own hosts file, or null
 * when it can (checked by resolving a name only that file holds).
 */
export function whyHostsCannotBeOverridden(): string | null {
  if (process.platform !== "linux") return `needs Linux mount namespaces (this is ${process.platform})`;
  const dir = mkdtempSync(path.join(tmpdir(), "wfp-hosts-"));
  try {
    const name = "wfp-hosts-check.example.com";
    const file = path.join(dir, "hosts");
    writeFileSync(file, hostsWith({ [name]: "127.0.0.1" }));
    const [command, ...args] = withHostsFile(file) as [string, ...string[]];
    const run = spawnSync(command, [...args, "getent", "hosts", name], { encoding: "utf8", timeout: 10_000 });
    if (run.error !== undefined) return `${command}: ${run.error.message}`;
    if (run.status !== 0 || !run.stdout.includes("127.0.0.1")) {
      return `${command} could not give a process its own /etc/hosts: ${run.stderr.trim() || `exit ${run.status}`}`;
    }
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
