#!/usr/bin/env node
/**
 * The `exkeys` executable. Refuses secrets passed as arguments before anything parses argv, then runs
 * the command and maps what happened to an exit code (0 ok, 1 check failed, 2 usage error).
 *
 * The shebang is plain `#!/usr/bin/env node` because BusyBox `env` (Alpine images) has no `-S`.
 * Node itself scans the arguments for `--env-file` before this file runs (see `node-env-file.ts`):
 * the bin refuses a file that sets `NODE_OPTIONS`, and `-f <path>` is the same option out of
 * Node's sight (Node exits 9 for a missing `--env-file` before any JavaScript runs).
 * @module
 */
import { readFileSync } from 'node:fs';
import { CommanderError } from 'commander';
import { CommandFailed, EXIT } from './exit-codes.js';
import { envFileSettingNodeOptions, nodeEnvFiles } from './node-env-file.js';
import { commanderErrorOutput, createProgram } from './program.js';
import {
  findSecretArgument,
  redactEchoedArguments,
  secretArgumentMessage,
} from './secret-arguments.js';

const args = process.argv.slice(2);
const nodeOptionsFile = envFileSettingNodeOptions(nodeEnvFiles(args));
if (nodeOptionsFile !== undefined) {
  process.stderr.write(
    `exkeys: ${nodeOptionsFile} sets NODE_OPTIONS. Node applies NODE_OPTIONS from a file named by --env-file ` +
      'to the process it starts, before exkeys runs. exkeys never needs it: remove that line from the file, ' +
      'then run the command again (or name the file with -f, which Node does not read).\n',
  );
  process.exit(EXIT.usage);
}
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
    // Commander's message (option values masked) may echo an argument: a secret must not be.
    const output = commanderErrorOutput(error);
    if (output !== '') process.stderr.write(await redactEchoedArguments(output, args));
    // Help (also bare `exkeys`) and --version exit 0.
    const help = error.code === 'commander.help' || error.code === 'commander.helpDisplayed';
    process.exitCode = error.exitCode === 0 || help ? EXIT.ok : EXIT.usage;
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
