import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { isRunning, listProcesses } from "../../scripts/lib/process-group.ts";

/** Linux reports CPU time in clock ticks of 1/100 s (USER_HZ). */
const TICKS_PER_SECOND = 100;

/** Ticks every core of the machine spent busy (anything but idle and I/O wait), from /proc/stat. */
function machineBusyTicks(): number {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
  const [user, nice, system, , , irq, softirq, steal] = line.split(/\s+/).slice(1).map(Number);
  return [user, nice, system, irq, softirq, steal].reduce<number>((sum, n) => sum + (n ?? 0), 0);
}

/** Ticks a process and its reaped children have used, from /proc/<pid>/stat; 0 if it is gone. */
function processTicks(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised name start at the state (field 3); utime..cstime are fields 14..17.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields.slice(11, 15).reduce((sum, n) => sum + Number(n), 0);
  } catch {
    return 0;
  }
}

/**
 * Starts counting the CPU time the given processes use; the returned function
 * answers it per process, in milliseconds (at USER_HZ's 10 ms resolution).
 * What one kind of work costs a process, where a rate only says what the
 * machine's other work left over.
 */
export function meterProcesses(pids: readonly number[]): () => number[] {
  const atStart = pids.map(processTicks);
  return () => pids.map((pid, i) => ((processTicks(pid) - (atStart[i] ?? 0)) * 1000) / TICKS_PER_SECOND);
}

/** This process and every running process of the groups. */
function ourPids(pgids: readonly number[]): number[] {
  const group = listProcesses().filter((p) => pgids.includes(p.pgid) && isRunning(p));
  return [process.pid, ...group.map((p) => p.pid)];
}

/**
 * Starts counting the CPU time this process and every process of the groups
 * use together; the returned function answers it in milliseconds. What one
 * kind of work costs the whole stack (wrangler, its proxy, the runtimes and
 * the client): with the machine's cores, the bound on its rate here.
 */
export function meterGroups(pgids: readonly number[]): () => number {
  const ticks = meterGroupTicks(pgids);
  return () => (ticks() * 1000) / TICKS_PER_SECOND;
}

/** meterGroups in clock ticks. */
function meterGroupTicks(pgids: readonly number[]): () => number {
  const ticksAtStart = new Map(ourPids(pgids).map((pid) => [pid, processTicks(pid)]));
  return () => ourPids(pgids).reduce((sum, pid) => sum + processTicks(pid) - (ticksAtStart.get(pid) ?? 0), 0);
}

export type CpuShare = {
  /** Share of the machine's whole capacity (all cores) the bench and the processes it started used. */
  ours: number;
  /** Share used by every other process on the machine: the noise in the figures. */
  others: number;
};

/**
 * Starts measuring who uses the machine's CPU; the returned function ends the
 * measurement. The bench shares the machine with whatever else runs, and
 * what that took is worth printing next to the figures.
 */
export function meterCpu(pgid: number | readonly number[]): () => CpuShare {
  const pgids = typeof pgid === "number" ? [pgid] : pgid;
  const startedAt = performance.now();
  const busyAtStart = machineBusyTicks();
  const oursTicks = meterGroupTicks(pgids);
  return () => {
    const capacity = ((performance.now() - startedAt) / 1000) * TICKS_PER_SECOND * cpus().length;
    const busy = machineBusyTicks() - busyAtStart;
    const ours = oursTicks();
    return { ours: ours / capacity, others: Math.max(0, busy - ours) / capacity };
  };
}
