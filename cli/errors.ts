/**
 * Exit codes (the table in README.md) and the one error type that carries
 * them. A command throws a CliError; main() prints it and exits with its code.
 */
export const EXIT = {
  ok: 0,
  /** The control plane refused the request: it answered a 4xx error. */
  apiError: 1,
  /** The command line itself is wrong: unknown command or flag, missing or malformed value. */
  usage: 2,
  /** The control plane could not be reached, answered a 5xx, or answered outside the contract. */
  unreachable: 3,
  /** --wait (or a rollout) ended in failure, or did not end before --timeout. */
  waitFailed: 4,
  /** The Worker in <dir> could not be bundled into a script the API takes. */
  buildFailed: 5,
  /** Anything else: a bug in wfp (its stack is printed). */
  bug: 70,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export type ErrorDetail = { path: string; message: string };

export class CliError extends Error {
  readonly exitCode: ExitCode;
  /** The API's error code, or the CLI's own (`usage`, `unreachable`, `bad_response`, ...). */
  readonly code: string;
  readonly details: readonly ErrorDetail[];
  /** HTTP status when the control plane answered. */
  readonly status: number | undefined;
  /** What the command ended with anyway (the failed tenant, the rollout): its result with --json. */
  readonly result: unknown;

  constructor(
    exitCode: ExitCode,
    code: string,
    message: string,
    extra: { details?: readonly ErrorDetail[]; status?: number; result?: unknown } = {},
  ) {
    super(message);
    this.exitCode = exitCode;
    this.code = code;
    this.details = extra.details ?? [];
    this.status = extra.status;
    this.result = extra.result;
  }
}

export const usageError = (message: string) => new CliError(EXIT.usage, "usage", message);
export const buildError = (message: string) => new CliError(EXIT.buildFailed, "build_failed", message);
