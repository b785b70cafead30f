#!/usr/bin/env -S node --
/**
 * The `exkeys` executable. Refuses secrets passed as arguments before anything parses argv, then runs
 * the command and maps what happened to an exit code (0 ok, 1 check failed, 2 usage error).
 *
 * The `--` in the shebang matters: Node (20 to at least 26) treats a `--env-file <missing file>`
 * anywhere in argv as its own option and exits 9, unless a `--` precedes the script path.
 * @module
 */
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { CommandFailed, EXIT } from './exit-codes.js';
import { createProgram } from './program.js';
import {
  findSecretArgument,
  redactEchoedArguments,
  secretArgumentMessage,
} from './secret-arguments.js';

const args = process.argv.slice(2);
const secretOption = findSecretArgument(args);
if (secretOption !== undefined) {
  process.stderr.write(`${secretArgumentMessage(secretOption)}\n`);
  process.exit(EXIT.usage);
}

const { version } = JSON.parse(
  readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
) as { version: string };

try {
  await createProgram(version).parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander already printed the (redacted) message; help and --version exit 0.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    const { exitCodeFor } = await import('./error-exit-code.js');
    const code = exitCodeFor(error);
    if (!(error instanceof CommandFailed)) {
      const message = error instanceof Error ? error.message : String(error);
      // A usage error may quote an argument back; a secret pasted in the wrong place must not be.
      const shown = code === EXIT.usage ? await redactEchoedArguments(message, args) : message;
      process.stderr.write(`exkeys: ${shown}\n`);
    }
    process.exitCode = code;
  }
}
