import { readFileSync } from "node:fs";

/** Resident memory of a process, in bytes, from /proc/<pid>/status (Linux only). */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  // A zombie has no memory left to report: it has exited.
  if (match === null) throw new Error(`process ${pid} has exited`);
  return Number(match[1]) * 1024;
}

export type RssSampler = {
  /** Reads the resident memory now (and counts it towards the peak). */
  now(): number;
  /** The highest reading since the last call, which starts a new window at the current reading. */
  takePeak(): number;
  stop(): void;
};

/**
 * Samples the resident memory of processes (summed) on a timer, so a phase's
 * peak is seen even when it falls between the points the bench reads
 * directly. A reading that fails (a process is gone) stops the timer and
 * calls `onLost` once.
 */
export function sampleRss(pids: readonly number[], intervalMs: number, onLost: (error: Error) => void): RssSampler {
  let peak = 0;
  let lost = false;
  const now = () => {
    try {
      const bytes = pids.reduce((sum, pid) => sum + residentBytes(pid), 0);
      peak = Math.max(peak, bytes);
      return bytes;
    } catch (error) {
      if (!lost) {
        lost = true;
        clearInterval(timer);
        onLost(error as Error);
      }
      throw error;
    }
  };
  const timer = setInterval(() => {
    try {
      now();
    } catch {
      // Reported through onLost; the phase that reads next fails with it.
    }
  }, intervalMs);
  return {
    now,
    takePeak() {
      const highest = Math.max(peak, now());
      peak = 0;
      return highest;
    },
    stop: () => clearInterval(timer),
  };
}
