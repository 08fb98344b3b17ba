import { setTimeout as sleep } from "node:timers/promises";
import { CliError, EXIT } from "./errors.ts";

export type PollOptions = { timeoutMs: number; intervalMs: number };

/**
 * Calls `read` every interval until `done` says so, handing each answer that
 * differs from the one before to `onChange`. Past the timeout: exit 4.
 */
export async function pollUntil<T>(
  first: T,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  options: PollOptions & { what: string; onChange?: (value: T) => void },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let value = first;
  let seen = JSON.stringify(first);
  while (!done(value)) {
    if (Date.now() >= deadline) {
      throw new CliError(
        EXIT.waitFailed,
        "wait_timeout",
        `${options.what} did not finish within ${options.timeoutMs / 1000} s`,
      );
    }
    await sleep(Math.min(options.intervalMs, Math.max(0, deadline - Date.now())));
    value = await read();
    const now = JSON.stringify(value);
    if (now !== seen) options.onChange?.(value);
    seen = now;
  }
  return value;
}
