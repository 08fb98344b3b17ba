import { readFileSync } from "node:fs";
import path from "node:path";
import { isRunning, listProcesses } from "../../scripts/lib/process-group.ts";

function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
  } catch {
    return [];
  }
}

/** The running workerd processes of a process group, and whether each was given an inspector. */
export function groupWorkerds(pgid: number): { pid: number; inspector: boolean }[] {
  return listProcesses()
    .filter((p) => p.pgid === pgid && isRunning(p))
    .map((p) => ({ pid: p.pid, args: cmdline(p.pid) }))
    .filter(({ args }) => path.basename(args[0] ?? "") === "workerd")
    .map(({ pid, args }) => ({ pid, inspector: args.some((a) => a.startsWith("--inspector-addr")) }));
}

/**
 * The workerd processes of a `wrangler dev` (its process group) that run its
 * Workers. wrangler starts two workerd processes: a proxy that owns the public
 * port and the runtime that runs the Workers; only the runtime gets the
 * inspector. More than one: the runtime is being restarted.
 */
export function runtimeCandidates(pgid: number): number[] {
  return groupWorkerds(pgid)
    .filter((w) => w.inspector)
    .map((w) => w.pid);
}

/** The one workerd that runs a started `wrangler dev`'s Workers. */
export function runtimeOf(pgid: number, what: string): number {
  const candidates = runtimeCandidates(pgid);
  if (candidates.length !== 1) throw new Error(`${what}: ${candidates.length} runtime workerd processes, not one`);
  return candidates[0] as number;
}
