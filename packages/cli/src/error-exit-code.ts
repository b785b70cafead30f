/**
 * Which exit code an error thrown by a command gets. Kept apart from `exit-codes.ts` because it
 * needs the core, which `exkeys --help` and `--version` should not load.
 * @module
 */
import { CredentialsError } from '@exkeys/credentials';
import { CommandFailed, EXIT, UsageError } from './exit-codes.js';

/** The exit code for an error thrown by a command: bad exchange or profile names are usage errors. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof CommandFailed) return error.exitCode;
  if (error instanceof UsageError) return EXIT.usage;
  if (
    CredentialsError.isInstance(error) &&
    (error.code === 'invalid-exchange' || error.code === 'invalid-profile')
  ) {
    return EXIT.usage;
  }
  return EXIT.failed;
}
