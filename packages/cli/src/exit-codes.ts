/**
 * Exit codes and the errors that choose them: 0 all well, 1 a check failed, 2 the command line was
 * wrong.
 * @module
 */
/** Process exit codes used by every command. */
export const EXIT = {
  /** Everything checked out. */
  ok: 0,
  /** A check failed: a bad key, a leak, a failed verification. */
  failed: 1,
  /** The command line itself was wrong (unknown option, secret passed as an argument…). */
  usage: 2,
  /** Cancelled by Ctrl-C (128 + SIGINT), as shells report it. */
  cancelled: 130,
} as const;

/** The command line was wrong. Exits with {@link EXIT.usage}; the message says how to call it. */
export class UsageError extends Error {
  /** Always `usage`. */
  readonly code = 'usage';

  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * A command finished and already printed why it failed. Exits with `exitCode` without printing
 * anything more.
 */
export class CommandFailed extends Error {
  /** The exit code to use. */
  readonly exitCode: number;

  constructor(exitCode: number = EXIT.failed) {
    super(`exit ${exitCode}`);
    this.name = 'CommandFailed';
    this.exitCode = exitCode;
  }
}
