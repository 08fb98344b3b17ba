import { type ChildProcess, spawn } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { createInterface } from "node:readline";

/**
 * A child process started as the leader of its own process group, so that it
 * and everything it starts (wrangler starts workerd and esbuild) can be
 * signalled and waited for together, and so that a terminal's Ctrl-C reaches
 * only the launcher, which then stops each group in order.
 */
export type ProcessGroup = {
  readonly pid: number;
  /** Resolves with the leader's exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
  /** Resolves once everything the group wrote has been read (every writer has gone). */
  readonly drained: Promise<void>;
  /** Interrupts the whole group as Ctrl-C would, and kills whatever is left after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
  /** Kills the whole group now, whether or not a stop is under way. */
  kill(): Promise<void>;
};

export type SpawnGroupOptions = {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Every line the group writes to stdout or stderr. */
  onLine: (line: string) => void;
};

const DEFAULT_GRACE_MS = 10_000;
/** How long SIGKILL may take to empty the group before that counts as a failure. */
const KILL_WAIT_MS = 5_000;
const POLL_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export type ProcessInfo = {
  pid: number;
  ppid: number;
  pgid: number /** One of ps's letters: R, S, D, Z (zombie)... */;
  state: string;
};

/** Every process on the machine, from /proc (Linux only). */
export function listProcesses(): ProcessInfo[] {
  const processes: ProcessInfo[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue; // exited while we looked
    }
    // Fields after the parenthesised command name: state, ppid, pgrp, ...
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    processes.push({ pid: Number(entry), state: fields[0] ?? "", ppid: Number(fields[1]), pgid: Number(fields[2]) });
  }
  return processes;
}

/**
 * Zombies have already exited; they only wait for a parent to reap them, which
 * an init that does not reap (as in some containers) never does.
 */
export const isRunning = (p: ProcessInfo): boolean => p.state !== "Z";

/** Whether any process of the group still runs. Uses /proc where there is one (Linux), the signal-0 probe elsewhere. */
export function groupIsAlive(pgid: number): boolean {
  if (process.platform === "linux") return listProcesses().some((p) => p.pgid === pgid && isRunning(p));
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

async function waitForGroupExit(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (groupIsAlive(pgid)) {
    if (Date.now() >= deadline) return false;
    await sleep(POLL_MS);
  }
  return true;
}

function forwardLines(child: ChildProcess, onLine: (line: string) => void): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (stream !== null) createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", onLine);
  }
}

export function spawnGroup(command: string, args: readonly string[], options: SpawnGroupOptions): ProcessGroup {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) {
    child.once("error", () => {}); // the reason (ENOENT...) is also what the throw below reports
    throw new Error(`could not start ${command}`);
  }
  forwardLines(child, options.onLine);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const drained = new Promise<void>((resolve) => child.once("close", () => resolve()));

  const kill = async (): Promise<void> => {
    signalGroup(pid, "SIGKILL");
    if (!(await waitForGroupExit(pid, KILL_WAIT_MS))) throw new Error(`process group ${pid} survived SIGKILL`);
  };
  let stopping: Promise<void> | undefined;
  const stop = (graceMs = DEFAULT_GRACE_MS): Promise<void> => {
    stopping ??= (async () => {
      signalGroup(pid, "SIGINT");
      if (!(await waitForGroupExit(pid, graceMs))) await kill();
    })();
    return stopping;
  };
  return { pid, exited, drained, stop, kill };
}
